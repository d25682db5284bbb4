//! Example firmware: a device that boots, makes its auth key, logs in as a bot and sends a
//! Telegram alert every minute over embassy-net — for a generic Cortex-M4F
//! (`thumbv7em-none-eabihf`) or RV32IMAC (`riscv32imac-unknown-none-elf`) part, with no
//! board support: the network driver, the time driver and the random generator are stubs
//! (a board replaces them with its Ethernet/Wi-Fi driver, its timer and its hardware RNG).
//! It exists to be measured: `scripts/firmware-size.sh` builds it and reports flash and RAM.
#![no_std]
#![no_main]

// The critical-section implementation of the core (single core/hart, interrupts off).
#[cfg(target_arch = "arm")]
use cortex_m as _;
#[cfg(target_arch = "riscv32")]
use riscv as _;

use core::convert::Infallible;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::{Context, Waker};

use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::{Ipv4Address, Ipv4Cidr, Runner, StackResources, StaticConfigV4};
use embassy_net_driver::{Capabilities, HardwareAddress, LinkState};
use embassy_time::{Duration, Timer};
use ferrogram_client_embedded::{Config, Device, EmbassyClock, Peer, RECORD_LEN, Record};
use ferrogram_mtproto_proto::auth_key::keys::PRODUCTION_KEYS;
use static_cell::StaticCell;

/// The bot token (from @BotFather) and the chat to alert: set at build time in a real
/// firmware.
const TOKEN: &str = "123456:replace-with-the-bot-token";
const CHAT: Peer = Peer::User {
    id: 777_000,
    access_hash: 0,
};
const API_ID: i32 = 1;
const API_HASH: &str = "0123456789abcdef0123456789abcdef";
/// Telegram's DC 2.
const DC: (Ipv4Address, u16) = (Ipv4Address::new(149, 154, 167, 51), 443);

/// Socket buffers: answers are small, so 2 KiB each way is plenty.
const SOCKET_BUF: usize = 2048;
/// The largest frame the device accepts.
const RX_FRAME: usize = 4096;

type AlertDevice = Device<'static, BoardRng, EmbassyClock, RX_FRAME>;

static RESOURCES: StaticCell<StackResources<2>> = StaticCell::new();
static DEVICE: StaticCell<AlertDevice> = StaticCell::new();
static SOCKET_RX: StaticCell<[u8; SOCKET_BUF]> = StaticCell::new();
static SOCKET_TX: StaticCell<[u8; SOCKET_BUF]> = StaticCell::new();

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let mut rng = BoardRng(0x9e37_79b9_7f4a_7c15);
    let net = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(192, 168, 1, 50), 24),
        gateway: Some(Ipv4Address::new(192, 168, 1, 1)),
        dns_servers: Default::default(),
    });
    let seed = rand_core::Rng::next_u64(&mut rng);
    let (stack, runner) = embassy_net::new(
        StubNet,
        net,
        RESOURCES.init(StackResources::new()),
        seed,
    );
    spawner.spawn(net_task(runner)).unwrap();
    stack.wait_config_up().await;

    let record = Record::from_bytes(&read_flash()).unwrap_or(Record::new(2));
    let config = Config::new(2, &PRODUCTION_KEYS, API_ID, API_HASH);
    let device = DEVICE.init_with(|| Device::new(config, record, rng, EmbassyClock::new(0)));
    let rx = SOCKET_RX.init([0; SOCKET_BUF]);
    let tx = SOCKET_TX.init([0; SOCKET_BUF]);
    loop {
        let mut socket = TcpSocket::new(stack, rx, tx);
        socket.set_timeout(Some(Duration::from_secs(30)));
        if socket.connect(DC).await.is_ok() && device.connected(&mut socket).await.is_ok() {
            if device.login_bot(&mut socket, TOKEN).await.is_ok() {
                let _ = device.send_message(&mut socket, CHAT, "disk almost full").await;
            }
            if device.record_changed() {
                write_flash(&device.record().to_bytes());
                device.mark_saved();
            }
        }
        drop(socket);
        Timer::after(Duration::from_secs(60)).await;
    }
}

#[embassy_executor::task]
async fn net_task(mut runner: Runner<'static, StubNet>) -> ! {
    runner.run().await
}

/// A real board reads its flash page here.
fn read_flash() -> [u8; RECORD_LEN] {
    RECORD.with(|r| *r)
}

/// A real board writes its flash page here.
fn write_flash(bytes: &[u8; RECORD_LEN]) {
    RECORD.with(|r| *r = *bytes);
}

/// The record's stand-in flash page, behind a critical section.
static RECORD: Page = Page(critical_section::Mutex::new(core::cell::RefCell::new(
    [0xff; RECORD_LEN],
)));

struct Page(critical_section::Mutex<core::cell::RefCell<[u8; RECORD_LEN]>>);

impl Page {
    fn with<T>(&self, f: impl FnOnce(&mut [u8; RECORD_LEN]) -> T) -> T {
        critical_section::with(|cs| f(&mut self.0.borrow_ref_mut(cs)))
    }
}

/// The board's random generator stands here. THIS STUB IS NOT RANDOM: a real firmware uses
/// the chip's hardware RNG (auth keys made from a predictable generator are not secret).
struct BoardRng(u64);

impl rand_core::TryRng for BoardRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        // xorshift64*: fills the place of the hardware RNG for the size measurement.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        Ok(self.0.wrapping_mul(0x2545_f491_4f6c_dd1d))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for BoardRng {}

/// The board's network driver stands here: link up, nothing received, sends dropped.
struct StubNet;

struct StubRx;
struct StubTx;

impl embassy_net_driver::RxToken for StubRx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        f(&mut [])
    }
}

impl embassy_net_driver::TxToken for StubTx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = [0u8; 1514];
        f(&mut frame[..len.min(1514)])
    }
}

impl embassy_net_driver::Driver for StubNet {
    type RxToken<'a> = StubRx;
    type TxToken<'a> = StubTx;

    fn receive(&mut self, _cx: &mut Context) -> Option<(StubRx, StubTx)> {
        None
    }

    fn transmit(&mut self, _cx: &mut Context) -> Option<StubTx> {
        Some(StubTx)
    }

    fn link_state(&mut self, _cx: &mut Context) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::default();
        c.max_transmission_unit = 1514;
        c
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet([0x02, 0, 0, 0, 0, 0x01])
    }
}

/// The board's timer stands here: a counter.
struct StubTime;

static TICKS: AtomicU32 = AtomicU32::new(0);

impl embassy_time_driver::Driver for StubTime {
    fn now(&self) -> u64 {
        u64::from(TICKS.fetch_add(1, Ordering::Relaxed))
    }

    fn schedule_wake(&self, _at: u64, waker: &Waker) {
        waker.wake_by_ref();
    }
}

embassy_time_driver::time_driver_impl!(static TIME: StubTime = StubTime);

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
