//! No secret (secret key, security token, password, static or IAM-issued
//! token) in any message: every error the credential paths produce, shown
//! with Display and Debug from Rust and read back through the C ABI, and
//! the Debug output of options holding each kind of credential.

mod common;

use std::ffi::OsString;
use std::time::Duration;

use common::*;
use osm_standin::{data, Standin};
use tcc::{Client, ClientOptions, Credentials, Error};

/// Everything a user could see of an error.
fn shown(error: &Error) -> String {
    format!(
        "{error} | {error:?} | {} | {:?} | {:?}",
        error.message(),
        error.service_code(),
        error.service_message()
    )
}

fn options(server: &Standin) -> ClientOptions {
    let mut o = ClientOptions::new();
    o.set_endpoint(&server.base_url()).unwrap();
    o.set_iam_endpoint(&server.base_url()).unwrap();
    o
}

fn call(o: &ClientOptions) -> Result<(), Error> {
    Client::new(o)?.fetch_cc_emails().map(drop)
}

#[test]
fn no_secret_in_any_error_or_debug_output() {
    let server = Standin::start(standin_config()).unwrap();
    let mut texts: Vec<String> = Vec::new();
    let push_err = |r: Result<(), Error>, texts: &mut Vec<String>| {
        let e = r.expect_err("this case must fail");
        texts.push(shown(&e));
    };

    // Options holding each kind of credential, and the credentials alone.
    let mut token = options(&server);
    token.set_token(TOKEN).unwrap();
    let mut aksk = options(&server);
    aksk.set_aksk(data::TEMP_AK, data::TEMP_SK).unwrap();
    aksk.set_security_token(data::SECURITY_TOKEN).unwrap();
    aksk.set_domain_id(data::DOMAIN_ID).unwrap();
    let mut password = options(&server);
    password
        .set_password(data::IAM_USER, data::IAM_PASSWORD, data::DOMAIN_NAME)
        .unwrap();
    for o in [&token, &aksk, &password] {
        texts.push(format!("{o:?} {o:#?}"));
        call(o).unwrap();
    }
    let mut creds = Credentials::aksk(data::AK, data::SK).unwrap();
    creds.set_security_token(data::SECURITY_TOKEN).unwrap();
    texts.push(format!("{creds:?}"));
    let creds = Credentials::password(data::IAM_USER, data::IAM_PASSWORD, data::DOMAIN_NAME);
    texts.push(format!("{creds:?}"));
    texts.push(format!("{:?}", Credentials::token(TOKEN).unwrap()));

    // Every credential failure over the wire.
    let mut wrong_sk = options(&server);
    wrong_sk.set_aksk(data::AK, WRONG_SK).unwrap();
    push_err(call(&wrong_sk), &mut texts); // domain id lookup refused
    wrong_sk.set_aksk(data::AK, WRONG_SK).unwrap();
    wrong_sk.set_domain_id(data::DOMAIN_ID).unwrap();
    push_err(call(&wrong_sk), &mut texts); // OSM refuses the signature
    let mut no_token = options(&server);
    no_token.set_aksk(data::TEMP_AK, data::TEMP_SK).unwrap();
    no_token.set_domain_id(data::DOMAIN_ID).unwrap();
    push_err(call(&no_token), &mut texts);
    let mut bad_password = options(&server);
    bad_password
        .set_password(data::IAM_USER, WRONG_PASSWORD, data::DOMAIN_NAME)
        .unwrap();
    push_err(call(&bad_password), &mut texts);
    // A token refused even after a refresh.
    let client = Client::new(&password).unwrap();
    client.fetch_cc_emails().unwrap();
    server.expire_issued_tokens();
    server.set_token_lifetime(Duration::from_micros(1));
    push_err(client.fetch_cc_emails().map(drop), &mut texts);
    server.set_token_lifetime(Duration::from_secs(3600));
    // IAM unreachable, then silent.
    let mut unreachable = password.clone();
    unreachable.set_iam_endpoint("http://127.0.0.1:1").unwrap();
    push_err(call(&unreachable), &mut texts);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut slow = password.clone();
    slow.set_iam_endpoint(&format!("http://{}", silent.local_addr().unwrap()))
        .unwrap();
    slow.set_timeout_ms(200).unwrap();
    push_err(call(&slow), &mut texts);
    // The same failures through the C ABI's error detail.
    for opts in [
        aksk_options(&server, data::AK, WRONG_SK, None, None),
        aksk_options(
            &server,
            data::TEMP_AK,
            data::TEMP_SK,
            Some(data::DOMAIN_ID),
            None,
        ),
        password_options(&server, data::IAM_USER, WRONG_PASSWORD, data::DOMAIN_NAME),
    ] {
        let client = client_from(opts);
        texts.push(format!("{:?}", fetch(client).unwrap_err()));
        unsafe { tcc::ffi::tcc_client_free(client) };
    }

    // Refused values that hold a secret: the setters never quote them.
    let leaky = |secret: &str| format!("{secret}\r\nX-Evil: 1");
    let mut o = ClientOptions::new();
    push_err(o.set_token(&leaky(TOKEN)), &mut texts);
    push_err(o.set_aksk(&leaky(data::SK), data::SK), &mut texts);
    push_err(o.set_aksk(data::AK, &WRONG_SK.repeat(100)), &mut texts);
    o.set_aksk(data::AK, data::SK).unwrap();
    push_err(
        o.set_security_token(&leaky(data::SECURITY_TOKEN)),
        &mut texts,
    );
    push_err(o.set_domain_id(&leaky(data::SK)), &mut texts);
    push_err(
        o.set_password(
            data::IAM_USER,
            &WRONG_PASSWORD.repeat(100),
            data::DOMAIN_NAME,
        ),
        &mut texts,
    );
    push_err(
        o.set_password(&format!("{WRONG_PASSWORD}\0"), "p", "d"),
        &mut texts,
    );
    push_err(
        o.set_iam_endpoint(&format!("https://user:{WRONG_PASSWORD}@iam.example.com")),
        &mut texts,
    );
    push_err(
        o.set_endpoint(&format!("https://user:{WRONG_PASSWORD}@osm.example.com")),
        &mut texts,
    );
    texts.push(format!("{o:?}"));

    // The environment, with secrets in bad or unused places.
    let env_cases: Vec<Vec<(&str, String)>> = vec![
        vec![
            ("TCC_ENDPOINT", "http://h".into()),
            ("HUAWEICLOUD_SDK_SK", data::SK.into()),
        ],
        vec![
            ("TCC_ENDPOINT", "http://h".into()),
            ("HUAWEICLOUD_SDK_AK", leaky(data::SK)),
            ("HUAWEICLOUD_SDK_SK", data::SK.into()),
        ],
        vec![
            ("TCC_ENDPOINT", "http://h".into()),
            ("HUAWEICLOUD_SDK_AK", data::AK.into()),
            ("HUAWEICLOUD_SDK_SK", data::SK.into()),
            (
                "HUAWEICLOUD_SDK_SECURITY_TOKEN",
                leaky(data::SECURITY_TOKEN),
            ),
        ],
        vec![
            ("TCC_ENDPOINT", "http://h".into()),
            ("TCC_IAM_PASSWORD", data::IAM_PASSWORD.into()),
        ],
        vec![
            ("TCC_ENDPOINT", "http://h".into()),
            ("TCC_IAM_USER", "u".into()),
            ("TCC_IAM_PASSWORD", WRONG_PASSWORD.repeat(100)),
            ("TCC_IAM_DOMAIN", "d".into()),
        ],
        vec![
            ("TCC_ENDPOINT", "http://h".into()),
            ("TCC_TOKEN", leaky(TOKEN)),
        ],
        vec![("TCC_TOKEN", TOKEN.into())],
        vec![
            ("TCC_ENDPOINT", format!("https://u:{WRONG_PASSWORD}@h")),
            ("TCC_TOKEN", TOKEN.into()),
        ],
    ];
    for vars in &env_cases {
        let r = ClientOptions::from_env_with(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        });
        push_err(r.map(drop), &mut texts);
    }
    let full: Vec<(&str, String)> = vec![
        ("TCC_ENDPOINT", "http://h".into()),
        ("HUAWEICLOUD_SDK_AK", data::AK.into()),
        ("HUAWEICLOUD_SDK_SK", data::SK.into()),
        (
            "HUAWEICLOUD_SDK_SECURITY_TOKEN",
            data::SECURITY_TOKEN.into(),
        ),
        ("TCC_IAM_PASSWORD", data::IAM_PASSWORD.into()),
        ("TCC_TOKEN", TOKEN.into()),
    ];
    let o = ClientOptions::from_env_with(|name| {
        full.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| OsString::from(v))
    })
    .unwrap();
    texts.push(format!("{o:?}"));

    let mut secrets = configured_secrets();
    let issued = issued_tokens(&server);
    assert!(issued.len() >= 3, "{issued:?}");
    secrets.extend(issued);
    assert!(texts.len() > 30, "{}", texts.len());
    for text in &texts {
        assert_no_secret(text, &secrets);
    }
    // The check itself can fail: each secret is found where it is.
    for secret in &secrets {
        assert_eq!(
            leaked(&format!("x{secret}x"), &secrets),
            Some(secret.as_str())
        );
    }
}
