//! `testdc`: run the ferrogram test DC on 127.0.0.1.

use std::process::ExitCode;
use std::time::Duration;

use ferrogram_testdc::faults::Faults;
use ferrogram_testdc::{Config, RsaKeyHex, TestDc};

const HELP: &str = "\
testdc — a local MTProto server (the ferrogram test DC)

USAGE:
    testdc [OPTIONS]

OPTIONS:
    --port <PORT>        TCP port on 127.0.0.1 [default: 44300; 0 picks a free one]
    --dc <ID>            DC id to serve, 1..=5 [default: 2]
    --dcs <IDS>          serve several DCs in one process, e.g. `1,2,3`: one world, each
                         DC its own port (PORT, PORT+1, … in list order) and auth keys;
                         help.getConfig lists them all; users are served at their home
                         DC (USER_MIGRATE_X / PHONE_MIGRATE_X / FILE_MIGRATE_X elsewhere;
                         auth.exportAuthorization / importAuthorization move a login);
                         overrides --dc
    --alice-dc <ID>      Alice's home DC [default: 2]
    --test-mode          present itself as Telegram's test environment (help.getConfig
                         says test_mode), for clients started in test mode
    --proxy-secret <HEX> act as an MTProxy in front of itself: obfuscated clients must key
                         their connection with this secret (`dd` + 32 hex digits, or 32
                         hex digits); plain transports are still served
    --rsa-key <FILE>     RSA key file with `n=`, `e=`, `d=` hex lines [default: the public
                         test key built in; never use it beyond 127.0.0.1]
    --idle-timeout <S>   close connections silent for S seconds [default: 60]
    --bot <NAME>         create a bot named NAME (username NAME_bot) and print its token;
                         may be given several times
    --upload-limit <MIB> store at most MIB MiB of uploads (parts and documents); past it
                         uploads get `400 UPLOAD_STORAGE_FULL` [default: 256]
    --password <PW>      give Alice the 2FA password PW: auth.signIn answers
                         SESSION_PASSWORD_NEEDED, then auth.checkPassword takes the SRP
                         proof (account.getPassword) [default: no password]
    --state <FILE>       keep the state in FILE across restarts: users and bots (tokens,
                         usernames, passwords, home DCs), every DC's auth keys and who
                         each is logged in as, messages (boxes, pts), uploads and
                         documents. A missing FILE starts fresh; an unreadable one
                         (corrupt, cut short, another version) stops the DC with an
                         error naming it. Written at most every 200 ms while the state
                         changes, through FILE.tmp and a rename (killing testdc loses
                         at most the last 200 ms). When FILE is loaded, --password and
                         --alice-dc are ignored, and a --bot already in it is reused
                         [default: in memory only]

FAULT KNOBS (for testing a client's recovery; see the faults module):
    --close-after <N>    close every connection once it delivered N encrypted messages
    --bad-salt           refuse the first encrypted message with bad_server_salt
    --bad-msg <16|17>    refuse the first encrypted message with bad_msg_notification
    --clock-skew <S>     run the DC's clock S seconds ahead (negative: behind)
    --gzip               pack every answer and update in gzip_packed
    --containers         send every payload inside a msg_container
    --flood-wait <N:S>   answer the first N API calls with 420 FLOOD_WAIT_S
    --delay-ms <D>       hold every answer D milliseconds
    (A burst of updates to a user is TestDc::send_burst, from Rust.)

    -q, --quiet          don't log connection events to stderr
    -h, --help           print this help

On start it prints the address, the RSA public key (n and e in hex, and as PEM) and its fingerprint,
which a client must trust. Every transport is served (abridged, intermediate, padded
intermediate, full, obfuscated), the auth-key exchange, the encrypted session, and an
API slice for bots and users: help.getConfig, help.getNearestDc, auth.sendCode,
auth.signIn, auth.signUp (the login code is the DC id five times), auth.importBotAuthorization,
auth.logOut, account.getPassword and auth.checkPassword (2FA, SRP; --password),
auth.exportAuthorization and auth.importAuthorization (--dcs), users.getUsers,
users.getFullUser, contacts.resolveUsername, updates.getState, updates.getDifference, messages.sendMessage, messages.sendMedia (documents),
messages.getHistory, messages.getMessages, messages.getDialogs, upload.saveFilePart,
upload.saveBigFilePart, upload.getFile. Other methods get `400 INPUT_METHOD_INVALID`.
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("testdc: {e}");
            eprintln!("(testdc --help lists the options)");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut config = Config {
        port: 44300,
        verbose: true,
        ..Config::default()
    };
    let mut bots = Vec::new();
    let mut cluster: Option<Vec<i32>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            "--port" => {
                config.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port takes a number 0..=65535")?
            }
            "--dc" => {
                config.dc_id = value("--dc")?
                    .parse()
                    .map_err(|_| "--dc takes a number 1..=5")?
            }
            "--dcs" => {
                let ids: Result<Vec<i32>, _> = value("--dcs")?
                    .split(',')
                    .map(|d| d.trim().parse())
                    .collect();
                cluster = Some(ids.map_err(|_| "--dcs takes DC ids like 1,2,3")?);
            }
            "--alice-dc" => {
                config.alice_dc = value("--alice-dc")?
                    .parse()
                    .map_err(|_| "--alice-dc takes a number 1..=5")?
            }
            "--rsa-key" => {
                let path = value("--rsa-key")?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {path}: {e}"))?;
                config.rsa_key = Some(RsaKeyHex::parse(&text).map_err(|e| format!("{path}: {e}"))?);
            }
            "--idle-timeout" => {
                let s: u64 = value("--idle-timeout")?
                    .parse()
                    .map_err(|_| "--idle-timeout takes whole seconds")?;
                config.idle_timeout = Duration::from_secs(s.max(1));
            }
            "--bot" => bots.push(value("--bot")?),
            "--test-mode" => config.test_mode = true,
            "--proxy-secret" => {
                let hex = value("--proxy-secret")?;
                config.proxy_secret = Some(
                    ferrogram_mtproto_proto::transport::obfuscated::ProxySecret::from_hex(&hex)
                        .map_err(|e| format!("--proxy-secret: {e}"))?,
                );
            }
            "--upload-limit" => {
                let mib: usize = value("--upload-limit")?
                    .parse()
                    .map_err(|_| "--upload-limit takes whole MiB")?;
                config.upload_limit = mib.saturating_mul(1024 * 1024);
            }
            "--password" => config.password = Some(value("--password")?),
            "--state" => config.state_file = Some(value("--state")?.into()),
            "--close-after" => {
                config.faults.close_after = Some(
                    value("--close-after")?
                        .parse()
                        .map_err(|_| "--close-after takes a message count")?,
                )
            }
            "--bad-salt" => config.faults.bad_server_salt = true,
            "--bad-msg" => {
                config.faults.bad_msg = Some(Faults::parse_bad_msg(&value("--bad-msg")?)?)
            }
            "--clock-skew" => {
                config.faults.clock_skew_secs = value("--clock-skew")?
                    .parse()
                    .map_err(|_| "--clock-skew takes whole seconds")?
            }
            "--gzip" => config.faults.gzip = true,
            "--containers" => config.faults.containers = true,
            "--flood-wait" => {
                let v = value("--flood-wait")?;
                let parsed = v
                    .split_once(':')
                    .and_then(|(n, s)| Some((n.parse().ok()?, s.parse().ok()?)));
                let Some((n, secs)) = parsed else {
                    return Err(format!("--flood-wait takes CALLS:SECONDS, not `{v}`"));
                };
                config.faults.flood_wait_calls = n;
                config.faults.flood_wait_secs = secs;
            }
            "--delay-ms" => {
                let ms: u64 = value("--delay-ms")?
                    .parse()
                    .map_err(|_| "--delay-ms takes whole milliseconds")?;
                config.faults.delay = Duration::from_millis(ms);
            }
            "-q" | "--quiet" => config.verbose = false,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let ids = cluster.unwrap_or_else(|| vec![config.dc_id]);
    let dcs = TestDc::start_cluster(config, &ids).map_err(|e| e.to_string())?;
    let dc = &dcs[0];
    let key = dc.public_key();
    for dc in &dcs {
        println!("testdc: DC {} listening on {}", dc.dc_id(), dc.addr());
    }
    println!("rsa n={}", hex(&key.n_be_bytes()));
    println!("rsa e={:x}", key.e());
    println!(
        "rsa fingerprint={} ({:#018x})",
        dc.fingerprint(),
        dc.fingerprint() as u64
    );
    print!("{}", dc.public_key_pem());
    println!(
        "user id={} first_name=Alice username=alice (a user bots can message)",
        ferrogram_testdc::world::FIRST_USER_ID
    );
    for name in bots {
        let (id, token) = dc.bot(&name, &format!("{name}_bot"));
        println!("bot id={id} username={name}_bot token={token}");
    }
    loop {
        std::thread::park();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
