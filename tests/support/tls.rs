//! Certificates for the test API server: a self-signed CA, a server certificate for 127.0.0.1 /
//! localhost signed by it, and a client certificate (CN "diagnose-user") signed by it.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

/// The common name of the client certificate written by `write_client_cert_kubeconfig`.
pub const CLIENT_CERT_CN: &str = "diagnose-user";

pub(crate) struct Certs {
    pub ca_pem: String,
    pub ca_der: CertificateDer<'static>,
    pub server_cert_der: CertificateDer<'static>,
    pub server_cert_pem: String,
    pub server_key_der: Vec<u8>,
    pub client_cert_pem: String,
    pub client_key_pem: String,
    pub client_cert_der: CertificateDer<'static>,
    pub client_key_der: Vec<u8>,
}

fn dn(cn: &str, org: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    if let Some(org) = org {
        dn.push(DnType::OrganizationName, org);
    }
    dn.push(DnType::CommonName, cn);
    dn
}

/// A self-signed CA (PEM) with the given common name, unrelated to any server.
pub(crate) fn self_signed_ca(
    cn: &str,
) -> (CertificateParams, KeyPair, String, CertificateDer<'static>) {
    let key = KeyPair::generate().expect("generate CA key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.distinguished_name = dn(cn, None);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key).expect("self-sign CA");
    let pem = cert.pem();
    let der = cert.der().clone();
    (params, key, pem, der)
}

/// `self_signed`: the server presents a self-signed CA certificate (for 127.0.0.1 / localhost) as
/// its own serving certificate, and that certificate is the CA (`ca_pem`), as in hand-built
/// clusters; client certificates are still signed by it.
pub(crate) fn generate(self_signed: bool) -> Certs {
    let (ca_params, ca_key, ca_pem, ca_der) = if self_signed {
        let key = KeyPair::generate().expect("generate key");
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .expect("params");
        params.distinguished_name = dn("kube-apiserver-selfsigned", None);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.self_signed(&key).expect("self-sign");
        let pem = cert.pem();
        let der = cert.der().clone();
        (params, key, pem, der)
    } else {
        self_signed_ca("kubernetes")
    };
    let self_signed_key = self_signed.then(|| ca_key.serialize_der());
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().expect("generate server key");
    let mut server = CertificateParams::new(vec![
        "127.0.0.1".to_string(),
        "::1".to_string(),
        "localhost".to_string(),
        "kubernetes".to_string(),
        "kubernetes.default".to_string(),
        "kubernetes.default.svc".to_string(),
    ])
    .expect("server params");
    server.distinguished_name = dn("kube-apiserver", None);
    server.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server
        .signed_by(&server_key, &issuer)
        .expect("sign server cert");

    let client_key = KeyPair::generate().expect("generate client key");
    let mut client = CertificateParams::new(Vec::<String>::new()).expect("client params");
    client.distinguished_name = dn(CLIENT_CERT_CN, Some("diagnose"));
    client.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client
        .signed_by(&client_key, &issuer)
        .expect("sign client cert");

    let (server_cert_der, server_cert_pem, server_key_der) = match self_signed_key {
        Some(key) => (ca_der.clone(), ca_pem.clone(), key),
        None => (
            server_cert.der().clone(),
            server_cert.pem(),
            server_key.serialize_der(),
        ),
    };
    Certs {
        ca_pem,
        ca_der,
        server_cert_der,
        server_cert_pem,
        server_key_der,
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
        client_cert_der: client_cert.der().clone(),
        client_key_der: client_key.serialize_der(),
    }
}

pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS 1.2/1.3, ALPN http/1.1, client certificates optional but verified against the CA when sent.
pub(crate) fn server_config(certs: &Certs) -> Arc<ServerConfig> {
    let provider = provider();
    let mut roots = RootCertStore::empty();
    roots.add(certs.ca_der.clone()).expect("add CA to roots");
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .expect("client verifier");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certs.server_key_der.clone()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![certs.server_cert_der.clone()], key)
        .expect("server cert");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}
