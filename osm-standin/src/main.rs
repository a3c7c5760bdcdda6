//! `osm-standin`: runs the stand-in as a process, for demos and for clients
//! that are not in-process Rust tests.

use std::ffi::OsString;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use osm_standin::{data, AccessKey, Standin, StandinConfig, NETWORK_SCENARIOS, SCENARIOS};

const USAGE: &str = "\
usage: osm-standin [--port N] [--token T] [--ak AK] [--sk SK] [--domain-id ID]
                   [--port-file PATH] [--max-seconds S] [--no-record]
                   [--busy-poll MICROS]

Local stand-in for Huawei Cloud OSM's GET /v2/servicerequest/carbon-copy-emails,
with the API gateway's token and AK/SK checks, and a small IAM.

  --port N          listen on 127.0.0.1:N (default 0: any free port)
  --token T         accepted X-Auth-Token (default: $OSM_STANDIN_TOKEN, else demo-token)
  --ak AK           access key of the accepted permanent AK/SK pair (default: a demo AK)
  --sk SK           its secret key (default: a demo SK)
  --domain-id ID    the account id: X-Domain-Id of signed requests, and what
                    GET /v3/auth/domains returns (default: a demo id)
  --port-file PATH  write the port number to PATH once listening
  --max-seconds S   exit after S seconds (default 600)
  --no-record       do not keep the requests received (for benchmarks: the
                    stand-in's memory then stays flat); GET /_standin/requests
                    answers 404 STANDIN.0004
  --busy-poll MICROS
                    a connection waiting for its next request polls for up
                    to MICROS (at most 1000000) before it sleeps, so its CPU
                    never idles between requests (for benchmarks with the
                    stand-in pinned to a CPU of its own; default 0: off)
  --help            print this help

The line after \"listening on\" lists the demo credentials accepted.

Routes: GET /v2/servicerequest/carbon-copy-emails (scenario ok),
        GET /scenario/<name>/v2/servicerequest/carbon-copy-emails,
        POST /v3/auth/tokens (IAM password token, domain scope),
        GET /v3/auth/domains (IAM domain lookup, AK/SK signed),
        GET /_standin/requests (recorded requests, JSON; 404 with --no-record),
        GET http://<any host>/<any of the above> (as a proxy: routed by the path),
        CONNECT 127.0.0.1:<port> or localhost:<port> (tunnel; other hosts: 403).";

const FAMILIES: &str = "\
flaky-<what>-<n> (what: 500 502 503 504 429 close reset hang; n: 1..9),
               status-<code> (200..599), redirect-<port>, redirect-https-<port>";

#[derive(Debug)]
struct Options {
    port: u16,
    token: String,
    ak: String,
    sk: String,
    domain_id: String,
    port_file: Option<PathBuf>,
    max_seconds: u64,
    record: bool,
    busy_poll_micros: u64,
}

enum Command {
    Help,
    Run(Options),
}

fn parse_args(
    args: impl IntoIterator<Item = String>,
    env_token: Option<String>,
) -> Result<Command, String> {
    let mut options = Options {
        port: 0,
        // An empty variable is treated as unset: an empty token would be useless.
        token: env_token
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "demo-token".to_owned()),
        ak: data::AK.to_owned(),
        sk: data::SK.to_owned(),
        domain_id: data::DOMAIN_ID.to_owned(),
        port_file: None,
        max_seconds: 600,
        record: true,
        busy_poll_micros: 0,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg, None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(Command::Help);
        }
        if flag == "--no-record" {
            if inline.is_some() {
                return Err("--no-record takes no value".to_owned());
            }
            options.record = false;
            continue;
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                options.port = v.parse().map_err(|_| format!("invalid port: {v}"))?;
            }
            "--token" => {
                options.token = value()?;
                if options.token.is_empty() {
                    return Err("--token must not be empty".to_owned());
                }
            }
            "--ak" | "--sk" | "--domain-id" => {
                let v = value()?;
                if v.is_empty() {
                    return Err(format!("{flag} must not be empty"));
                }
                match flag.as_str() {
                    "--ak" => options.ak = v,
                    "--sk" => options.sk = v,
                    _ => options.domain_id = v,
                }
            }
            "--port-file" => options.port_file = Some(PathBuf::from(value()?)),
            "--max-seconds" => {
                let v = value()?;
                options.max_seconds = v
                    .parse()
                    .map_err(|_| format!("invalid --max-seconds: {v}"))?;
            }
            "--busy-poll" => {
                let v = value()?;
                options.busy_poll_micros = v
                    .parse()
                    .ok()
                    .filter(|&us| us <= 1_000_000)
                    .ok_or_else(|| format!("invalid --busy-poll (0..=1000000 µs): {v}"))?;
            }
            _ => return Err(format!("unknown argument: {flag}")),
        }
    }
    Ok(Command::Run(options))
}

/// The demo credentials a stand-in accepts, in one line. A demo server's demo
/// secrets: printing them is the point.
fn accepts_line(config: &StandinConfig) -> String {
    let mut line = format!("osm-standin accepts token {}", config.token);
    for key in &config.access_keys {
        match &key.security_token {
            None => line.push_str(&format!(", AK/SK {}/{}", key.ak, key.sk)),
            Some(st) => line.push_str(&format!(
                ", temporary AK/SK {}/{} with security token {st}",
                key.ak, key.sk
            )),
        }
    }
    line.push_str(&format!(
        ", domain id {} (account {})",
        config.domain_id, config.domain_name
    ));
    for user in &config.users {
        line.push_str(&format!(
            ", IAM user {} password {}",
            user.name, user.password
        ));
    }
    line
}

/// Writes via a temporary file and a rename, so a reader polling for the file
/// never sees it half-written.
fn write_port_file(path: &PathBuf, port: u16) -> std::io::Result<()> {
    let mut tmp = OsString::from(path.as_os_str());
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, format!("{port}\n"))?;
    std::fs::rename(&tmp, path)
}

fn main() -> ExitCode {
    let command = match parse_args(
        std::env::args().skip(1),
        std::env::var("OSM_STANDIN_TOKEN").ok(),
    ) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("osm-standin: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let options = match command {
        Command::Help => {
            println!(
                "{USAGE}\n\nScenarios: {}\nNetwork scenarios: {}\nFamilies: {FAMILIES}",
                SCENARIOS.join(", "),
                NETWORK_SCENARIOS.join(", ")
            );
            return ExitCode::SUCCESS;
        }
        Command::Run(options) => options,
    };

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let config = StandinConfig {
        token: options.token,
        access_keys: vec![
            AccessKey::new(options.ak, options.sk),
            AccessKey::temporary(data::TEMP_AK, data::TEMP_SK, data::SECURITY_TOKEN),
        ],
        domain_id: options.domain_id,
        record_requests: options.record,
        busy_poll: Duration::from_micros(options.busy_poll_micros),
        ..Default::default()
    };
    let accepts = accepts_line(&config);
    let standin = match Standin::start_on(addr, config) {
        Ok(standin) => standin,
        Err(e) => {
            eprintln!("osm-standin: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Ignore write errors: a closed stdout must not stop the server.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "osm-standin listening on {}", standin.base_url());
    let _ = writeln!(stdout, "{accepts}");
    let _ = stdout.flush();

    if let Some(path) = &options.port_file {
        if let Err(e) = write_port_file(path, standin.port()) {
            eprintln!("osm-standin: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }

    // Bounded lifetime: a forgotten demo server must not run forever.
    std::thread::sleep(Duration::from_secs(options.max_seconds));
    eprintln!("osm-standin: stopping after {} s", options.max_seconds);
    drop(standin);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: Option<&str>) -> Result<Options, String> {
        match parse_args(args.iter().map(|s| s.to_string()), env.map(str::to_owned))? {
            Command::Run(options) => Ok(options),
            Command::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[], None).unwrap();
        assert_eq!(
            (o.port, o.token.as_str(), o.max_seconds),
            (0, "demo-token", 600)
        );
        assert!(o.port_file.is_none());
        assert!(o.record);
        assert_eq!(run(&[], Some("")).unwrap().token, "demo-token");
        assert_eq!(
            (o.ak.as_str(), o.sk.as_str(), o.domain_id.as_str()),
            (data::AK, data::SK, data::DOMAIN_ID)
        );
    }

    #[test]
    fn credential_flags() {
        let o = run(&["--ak", "A1", "--sk=S1", "--domain-id", "D1"], None).unwrap();
        assert_eq!(
            (o.ak.as_str(), o.sk.as_str(), o.domain_id.as_str()),
            ("A1", "S1", "D1")
        );
        for flag in ["--ak", "--sk", "--domain-id"] {
            assert!(run(&[flag, ""], None)
                .unwrap_err()
                .contains("must not be empty"));
            assert!(run(&[flag], None).unwrap_err().contains("needs a value"));
        }
    }

    #[test]
    fn accepts_line_lists_the_demo_credentials() {
        let line = accepts_line(&StandinConfig::default());
        assert!(!line.contains('\n'));
        for part in [
            "demo-token",
            data::AK,
            data::SK,
            data::TEMP_AK,
            data::TEMP_SK,
            data::SECURITY_TOKEN,
            data::DOMAIN_ID,
            data::DOMAIN_NAME,
            data::IAM_USER,
            data::IAM_PASSWORD,
        ] {
            assert!(line.contains(part), "{part} missing from {line}");
        }
    }

    #[test]
    fn flags_and_env() {
        let o = run(
            &[
                "--port",
                "8080",
                "--token=t1",
                "--port-file",
                "/tmp/p",
                "--max-seconds=5",
            ],
            Some("env-token"),
        )
        .unwrap();
        assert_eq!((o.port, o.token.as_str(), o.max_seconds), (8080, "t1", 5));
        assert_eq!(o.port_file, Some(PathBuf::from("/tmp/p")));
        assert_eq!(run(&[], Some("env-token")).unwrap().token, "env-token");
    }

    #[test]
    fn errors_and_help() {
        assert!(run(&["--port"], None)
            .unwrap_err()
            .contains("needs a value"));
        assert!(run(&["--port", "x"], None)
            .unwrap_err()
            .contains("invalid port"));
        assert!(run(&["--bogus"], None)
            .unwrap_err()
            .contains("unknown argument"));
        assert_eq!(run(&["--port", "1", "--help"], None).unwrap_err(), "help");
        assert!(run(&["--no-record=1"], None)
            .unwrap_err()
            .contains("takes no value"));
    }

    #[test]
    fn no_record() {
        let o = run(&["--no-record", "--port", "5"], None).unwrap();
        assert!(!o.record);
        assert_eq!(o.port, 5);
        assert_eq!(o.busy_poll_micros, 0);
    }

    #[test]
    fn busy_poll() {
        assert_eq!(
            run(&["--busy-poll=250"], None).unwrap().busy_poll_micros,
            250
        );
        for bad in ["x", "-1", "1000001"] {
            assert!(run(&["--busy-poll", bad], None)
                .unwrap_err()
                .contains("invalid --busy-poll"));
        }
    }
}
