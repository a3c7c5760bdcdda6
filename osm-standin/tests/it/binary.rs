//! The `osm-standin` executable.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use osm_standin::{aksk, data};

const EXE: &str = env!("CARGO_BIN_EXE_osm-standin");

fn temp_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()))
}

const API: &str = "/v2/servicerequest/carbon-copy-emails";

/// A raw GET of the API with `headers`; returns the whole response text.
fn raw_get(port: u16, headers: &[(String, String)]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut raw = format!("GET {API} HTTP/1.1\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("Connection: close\r\n\r\n");
    stream.write_all(raw.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// A raw request to `port` with a token; returns the whole response text.
fn request(port: u16, token: &str) -> String {
    raw_get(port, &[("X-Auth-Token".to_owned(), token.to_owned())])
}

/// A request signed with `ak`/`sk`, carrying `X-Domain-Id: domain_id`.
fn signed_request(port: u16, ak: &str, sk: &str, domain_id: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let date = aksk::format_sdk_date(now);
    let mut headers = vec![
        ("Host".to_owned(), format!("127.0.0.1:{port}")),
        ("X-Sdk-Date".to_owned(), date.clone()),
        ("X-Domain-Id".to_owned(), domain_id.to_owned()),
    ];
    let authorization = aksk::authorization(ak, sk, &date, "GET", API, &headers, b"");
    headers.push(("Authorization".to_owned(), authorization));
    raw_get(port, &headers)
}

#[test]
fn serves_writes_the_port_file_and_stops_by_itself() {
    let port_file = temp_path("port-file");
    let _ = std::fs::remove_file(&port_file);
    let mut child = Command::new(EXE)
        .args(["--port", "0", "--max-seconds", "2", "--port-file"])
        .arg(&port_file)
        .args(["--ak", "CLIAK", "--sk=cli-sk", "--domain-id", "cli-domain"])
        .env("OSM_STANDIN_TOKEN", "env-token")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();

    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let mut accepts = String::new();
    stdout.read_line(&mut accepts).unwrap();
    for part in [
        "osm-standin accepts token env-token",
        "AK/SK CLIAK/cli-sk",
        data::TEMP_AK,
        data::SECURITY_TOKEN,
        "domain id cli-domain",
        data::IAM_USER,
        data::IAM_PASSWORD,
    ] {
        assert!(accepts.contains(part), "{part} missing from {accepts:?}");
    }
    let port: u16 = line
        .trim_end()
        .strip_prefix("osm-standin listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .parse()
        .unwrap();

    // The file is renamed into place right after the line is printed.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !port_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read_to_string(&port_file).unwrap(),
        format!("{port}\n")
    );

    assert!(request(port, "env-token").starts_with("HTTP/1.1 200 "));
    assert!(request(port, "demo-token").starts_with("HTTP/1.1 401 "));
    let signed = |ak, sk, domain| signed_request(port, ak, sk, domain);
    assert!(signed("CLIAK", "cli-sk", "cli-domain").starts_with("HTTP/1.1 200 "));
    assert!(signed("CLIAK", "cli-sk", data::DOMAIN_ID).starts_with("HTTP/1.1 401 "));
    assert!(signed(data::AK, data::SK, "cli-domain").starts_with("HTTP/1.1 401 "));

    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        if started.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("--max-seconds 2 did not stop the process");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_file(&port_file);
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(EXE).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(
        text.contains("--port-file")
            && text.contains("array-two")
            && text.contains("endless-body")
            && text.contains("flaky-<what>-<n>"),
        "{text}"
    );

    let bad = Command::new(EXE).arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument"));
}
