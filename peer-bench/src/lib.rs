//! One fixed auth-key exchange that both ferrogram's `ClientHandshake` and grammers-mtproto's
//! `authentication` steps can be driven through, so their client-side CPU time is compared
//! on identical server messages.
//!
//! grammers takes its randomness from `getrandom` inside the library; this crate's
//! `.cargo/config.toml` selects getrandom's `custom` backend, served here from a scripted
//! byte stream ([`script`]). The server side is built from ferrogram's public pieces (the
//! temporary AES key derivation, AES-IGE, the DH group and hashes) and grammers' TL types
//! for the wire bytes. No RSA private key is needed: the server knows `new_nonce` because it
//! scripted the client's randomness, as in the official samples.
//!
//! Both clients are checked to end with the same auth key before anything is timed.

use std::cell::RefCell;

use ferrogram_mtproto_proto::auth_key::derive::{self, DhGenAnswer};
use ferrogram_mtproto_proto::auth_key::dh::{DhGroup, DhSecret, TELEGRAM_DH_PRIME};
use ferrogram_mtproto_proto::auth_key::keys::PRODUCTION_KEY;
use ferrogram_mtproto_proto::crypto::ige;
use ferrogram_mtproto_proto::crypto::provider::{CryptoProvider, Software};
use grammers_tl_types::{self as tl, Serializable};

/// The scripted source behind getrandom for this process's current thread.
pub mod script {
    use super::RefCell;

    thread_local! {
        static BYTES: RefCell<(Vec<u8>, usize)> = const { RefCell::new((Vec::new(), 0)) };
    }

    /// Replaces the script; the next getrandom draws return `bytes` in order.
    pub fn load(bytes: &[u8]) {
        BYTES.with(|s| {
            let mut s = s.borrow_mut();
            s.0.clear();
            s.0.extend_from_slice(bytes);
            s.1 = 0;
        });
    }

    /// Restarts the current script from its first byte.
    pub fn rewind() {
        BYTES.with(|s| s.borrow_mut().1 = 0);
    }

    /// How many scripted bytes are left.
    pub fn remaining() -> usize {
        BYTES.with(|s| {
            let s = s.borrow();
            s.0.len() - s.1
        })
    }

    thread_local! {
        static ENDLESS: RefCell<Option<super::Filler>> = const { RefCell::new(None) };
    }

    /// After the script runs out, serve an endless seeded stream instead of failing (for
    /// benches of long-running states, such as the session's padding draws). Note that this
    /// spares grammers the `getrandom` system call it makes per message in real use.
    pub fn endless(seed: u64) {
        ENDLESS.with(|e| *e.borrow_mut() = Some(super::Filler::new(seed)));
    }

    pub(super) fn fill(dest: &mut [u8]) -> bool {
        let scripted = BYTES.with(|s| {
            let mut s = s.borrow_mut();
            let start = s.1;
            let Some(src) = s.0.get(start..start + dest.len()) else {
                return false;
            };
            dest.copy_from_slice(src);
            s.1 += dest.len();
            true
        });
        scripted
            || ENDLESS.with(|e| match e.borrow_mut().as_mut() {
                Some(f) => {
                    f.fill(dest);
                    true
                }
                None => false,
            })
    }
}

/// getrandom's `custom` backend for this build (see `.cargo/config.toml`): serves the
/// script, and fails (getrandom then reports an error, and grammers panics) when it runs
/// out, so an unexpected draw cannot go unnoticed.
///
/// # Safety
/// getrandom calls this with `dest` valid for writes of `len` bytes.
#[unsafe(no_mangle)]
unsafe extern "Rust" fn __getrandom_v03_custom(
    dest: *mut u8,
    len: usize,
) -> Result<(), getrandom::Error> {
    // SAFETY: getrandom's custom-backend contract: `dest` points to `len` writable bytes,
    // not aliased for the duration of the call (it comes from a `&mut [MaybeUninit<u8>]`).
    let dest = unsafe { std::slice::from_raw_parts_mut(dest, len) };
    if script::fill(dest) {
        Ok(())
    } else {
        Err(getrandom::Error::UNSUPPORTED)
    }
}

/// 64-bit xorshift*: filler bytes for the transcript (not secret, fixed by the seed).
pub struct Filler(u64);

impl Filler {
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }

    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        self.fill(&mut out);
        out
    }
}

/// A recorded exchange: the client's secrets and the server's three answers (TL bodies).
pub struct Transcript {
    pub nonce: [u8; 16],
    pub new_nonce: [u8; 32],
    /// The client's DH secret `b`, 256 bytes big-endian.
    pub b: [u8; 256],
    /// grammers' getrandom draws, in its order: step 1 (16), step 2 (32 + 224), step 3
    /// (256 + 16).
    pub grammers_script: Vec<u8>,
    pub res_pq: Vec<u8>,
    pub server_dh_params: Vec<u8>,
    pub dh_gen_ok: Vec<u8>,
    /// What the client must end with.
    pub auth_key: [u8; 256],
    pub server_time: i32,
}

/// p·q with p, q ≈ 2³¹ (63 bits, like Telegram's).
pub const PQ: (u64, u64) = (2_179_015_159, 3_151_626_173);

impl Transcript {
    pub fn new(seed: u64) -> Self {
        let mut f = Filler::new(seed);
        let nonce: [u8; 16] = f.array();
        let new_nonce: [u8; 32] = f.array();
        let b: [u8; 256] = f.array();
        let server_nonce: [u8; 16] = f.array();
        let server_time = 1_790_000_000;

        let mut grammers_script = Vec::new();
        grammers_script.extend_from_slice(&nonce);
        grammers_script.extend_from_slice(&new_nonce);
        let mut rsa_padding = [0u8; 224];
        f.fill(&mut rsa_padding);
        grammers_script.extend_from_slice(&rsa_padding);
        grammers_script.extend_from_slice(&b);
        let mut tail = [0u8; 16];
        f.fill(&mut tail);
        grammers_script.extend_from_slice(&tail);

        let (p, q) = PQ;
        let res_pq = tl::enums::ResPq::Pq(tl::types::ResPq {
            nonce: nonce,
            server_nonce: server_nonce,
            pq: (p * q).to_be_bytes().to_vec(),
            server_public_key_fingerprints: vec![PRODUCTION_KEY.fingerprint() as i64],
        })
        .to_bytes();

        // The server's half of the DH exchange with Telegram's group, g = 3.
        let group = DhGroup::telegram(3).expect("Telegram's group");
        let a = DhSecret::from_be_bytes(&f.array::<256>());
        let g_a = group.public_value(&a);
        group.check_g_a(&g_a).expect("g_a inside the safety margin");
        let client = group
            .client_exchange_with(&g_a, &DhSecret::from_be_bytes(&b))
            .expect("g_b inside the safety margin");

        let inner = tl::enums::ServerDhInnerData::Data(tl::types::ServerDhInnerData {
            nonce: nonce,
            server_nonce: server_nonce,
            g: 3,
            dh_prime: TELEGRAM_DH_PRIME.to_vec(),
            g_a: g_a.to_vec(),
            server_time,
        })
        .to_bytes();
        let mut answer = Vec::new();
        answer.extend_from_slice(&Software.sha1(&[&inner]));
        answer.extend_from_slice(&inner);
        while answer.len() % 16 != 0 {
            answer.push(f.next_u64() as u8);
        }
        let (key, iv) = derive::tmp_aes_key_iv(&new_nonce, &server_nonce);
        ige::encrypt_in_place(&key, &iv, &mut answer).expect("padded to 16");
        let server_dh_params = tl::enums::ServerDhParams::Ok(tl::types::ServerDhParamsOk {
            nonce: nonce,
            server_nonce: server_nonce,
            encrypted_answer: answer,
        })
        .to_bytes();

        let aux = derive::auth_key_aux_hash(&client.auth_key);
        let hash1 = derive::new_nonce_hash(&new_nonce, DhGenAnswer::Ok, &aux);
        let dh_gen_ok = tl::enums::SetClientDhParamsAnswer::DhGenOk(tl::types::DhGenOk {
            nonce: nonce,
            server_nonce: server_nonce,
            new_nonce_hash1: hash1,
        })
        .to_bytes();

        Self {
            nonce,
            new_nonce,
            b,
            grammers_script,
            res_pq,
            server_dh_params,
            dh_gen_ok,
            auth_key: client.auth_key,
            server_time,
        }
    }
}

/// The randomness ferrogram's client draws, scripted to match the transcript: the first
/// 16-byte draw is the nonce, the first 32-byte draw `new_nonce`, every 256-byte draw `b`;
/// the RSA_PAD and message paddings come from the filler.
pub struct ScriptedRng<'t> {
    transcript: &'t Transcript,
    draws: u32,
    filler: Filler,
}

impl<'t> ScriptedRng<'t> {
    pub fn new(transcript: &'t Transcript) -> Self {
        Self {
            transcript,
            draws: 0,
            filler: Filler::new(7),
        }
    }
}

impl rand_core::TryRng for ScriptedRng<'_> {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.filler.next_u64() as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.filler.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.draws += 1;
        match (self.draws, dst.len()) {
            (1, 16) => dst.copy_from_slice(&self.transcript.nonce),
            (2, 32) => dst.copy_from_slice(&self.transcript.new_nonce),
            (_, 256) => dst.copy_from_slice(&self.transcript.b),
            _ => self.filler.fill(dst),
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for ScriptedRng<'_> {}
