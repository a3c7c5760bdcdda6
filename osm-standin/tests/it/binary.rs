//! The `osm-standin` executable.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_osm-standin");

fn temp_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()))
}

/// A raw request to `port`; returns the status line and the body text.
fn request(port: u16, token: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /v2/servicerequest/carbon-copy-emails HTTP/1.1\r\nX-Auth-Token: {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serves_writes_the_port_file_and_stops_by_itself() {
    let port_file = temp_path("port-file");
    let _ = std::fs::remove_file(&port_file);
    let mut child = Command::new(EXE)
        .args(["--port", "0", "--max-seconds", "2", "--port-file"])
        .arg(&port_file)
        .env("OSM_STANDIN_TOKEN", "env-token")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();

    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
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
        text.contains("--port-file") && text.contains("array-two"),
        "{text}"
    );

    let bad = Command::new(EXE).arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument"));
}
