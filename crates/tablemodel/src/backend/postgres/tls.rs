//! TLS to PostgreSQL with libpq's URL parameters: `sslmode`, `sslrootcert`, `sslcert` and
//! `sslkey`, each with libpq's meaning, so a `DATABASE_URL` written for `psql` works here.
//!
//! tokio-postgres knows only `sslmode=disable|prefer|require` and nothing of certificates,
//! so these parameters are taken off the URL here and turned into a rustls configuration
//! (feature `tls`): which server certificates to accept is the mode's business, the
//! encryption itself is rustls's.
//!
//! | `sslmode` | encrypted | server certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `allow`, `prefer` (default) | when the server offers it, else plain | against `sslrootcert` if there is one, else not |
//! | `require` | always | against `sslrootcert` if there is one (as libpq does), else not |
//! | `verify-ca` | always | signed by `sslrootcert`'s CA |
//! | `verify-full` | always | signed by the CA and naming the host of the URL |
//!
//! `sslrootcert` is a PEM file of CA certificates, or `system` for the operating system's
//! CA bundle file; without it, `~/.postgresql/root.crt` is used when it exists (libpq's
//! default). `sslcert` and `sslkey` are the client's certificate chain and private key
//! (PEM), for servers that authenticate clients by certificate (`pg_hba.conf` `cert`).

use crate::error::Error;

/// How much TLS a connection insists on (libpq's `sslmode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Plain connections only.
    Disable,
    /// TLS when the server offers it, plain otherwise (libpq's `allow` and `prefer`).
    Prefer,
    /// TLS or no connection.
    Require,
    /// TLS, with a server certificate signed by a trusted CA.
    VerifyCa,
    /// TLS, with a trusted certificate that names the host connected to.
    VerifyFull,
}

/// The TLS parameters of a PostgreSQL URL.
#[derive(Clone, Debug)]
pub(crate) struct TlsParams {
    pub(crate) mode: SslMode,
    root_cert: Option<String>,
    cert: Option<String>,
    key: Option<String>,
}

/// The parameters this module takes off the URL.
const PARAMETERS: &[&str] = &["sslmode", "sslrootcert", "sslcert", "sslkey"];

impl TlsParams {
    /// Splits the TLS parameters off `url`: them, and the URL without them.
    pub(crate) fn split(url: &str) -> Result<(TlsParams, String), Error> {
        let mut params = TlsParams { mode: SslMode::Prefer, root_cert: None, cert: None, key: None };
        let Some((base, query)) = url.split_once('?') else { return Ok((params, url.to_owned())) };
        let mut rest = url::form_urlencoded::Serializer::new(String::new());
        let mut kept = 0;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if !PARAMETERS.contains(&key.as_ref()) {
                rest.append_pair(&key, &value);
                kept += 1;
                continue;
            }
            let value = value.into_owned();
            match key.as_ref() {
                "sslmode" => {
                    params.mode = match value.as_str() {
                        "disable" => SslMode::Disable,
                        "allow" | "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        other => {
                            return Err(invalid(
                                url,
                                format!(
                                    "parameter `sslmode`: expected disable, allow, prefer, require, verify-ca \
                                     or verify-full, got {other:?}"
                                ),
                            ));
                        }
                    }
                }
                "sslrootcert" => params.root_cert = Some(value),
                "sslcert" => params.cert = Some(value),
                _ => params.key = Some(value),
            }
        }
        let rest = rest.finish();
        Ok((params, if kept == 0 { base.to_owned() } else { format!("{base}?{rest}") }))
    }

    /// The mode tokio-postgres negotiates with: whether to ask for TLS and whether to
    /// settle for a plain connection.
    pub(crate) fn driver_mode(&self) -> tokio_postgres::config::SslMode {
        match self.mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => tokio_postgres::config::SslMode::Require,
        }
    }
}

fn invalid(url: &str, reason: String) -> Error {
    Error::InvalidUrl { url: crate::engine::redact(url), reason }
}

/// Without the `tls` feature: plain connections, and an error for a URL that insists on
/// TLS rather than a silently unencrypted connection.
#[cfg(not(feature = "tls"))]
pub(crate) fn check_plain(params: &TlsParams, url: &str) -> Result<(), Error> {
    match params.mode {
        SslMode::Disable | SslMode::Prefer => Ok(()),
        _ => Err(invalid(url, "`sslmode` above `prefer` needs tablemodel's `tls` feature".to_owned())),
    }
}

#[cfg(feature = "tls")]
pub(crate) use with_rustls::connector;

#[cfg(feature = "tls")]
mod with_rustls {
    use std::path::PathBuf;
    use std::sync::Arc;

    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
    use tokio_postgres_rustls::MakeRustlsConnect;

    use super::{SslMode, TlsParams, invalid};
    use crate::error::Error;

    /// The TLS connector for `params`, or `None` for `sslmode=disable`.
    pub(crate) fn connector(params: &TlsParams, url: &str) -> Result<Option<MakeRustlsConnect>, Error> {
        if params.mode == SslMode::Disable {
            return Ok(None);
        }
        let fail = |reason: String| invalid(url, reason);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| fail(format!("TLS: {e}")))?;
        let roots = root_certificates(params).map_err(fail)?;
        let verifier: Arc<dyn ServerCertVerifier> = match (params.mode, roots) {
            (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
                return Err(fail(format!(
                    "sslmode={} needs the CA that signed the server's certificate: give `sslrootcert=<PEM \
                     file>` or `sslrootcert=system` (there is no ~/.postgresql/root.crt)",
                    if params.mode == SslMode::VerifyCa { "verify-ca" } else { "verify-full" }
                )));
            }
            (_, None) => Arc::new(AnyCertificate(provider)),
            (mode, Some(roots)) => {
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| fail(format!("TLS: sslrootcert: {e}")))?;
                if mode == SslMode::VerifyFull { webpki } else { Arc::new(AnyName(webpki)) }
            }
        };
        let builder = builder.dangerous().with_custom_certificate_verifier(verifier);
        let config = match (&params.cert, &params.key) {
            (None, None) => builder.with_no_client_auth(),
            (Some(cert), Some(key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                    .map_err(|e| fail(format!("sslcert {cert:?}: {e}")))?;
                let key = PrivateKeyDer::from_pem_file(key).map_err(|e| fail(format!("sslkey {key:?}: {e}")))?;
                builder.with_client_auth_cert(chain, key).map_err(|e| fail(format!("sslcert/sslkey: {e}")))?
            }
            _ => return Err(fail("`sslcert` and `sslkey` go together: give both or neither".to_owned())),
        };
        Ok(Some(MakeRustlsConnect::new(config)))
    }

    /// The trusted CAs: `sslrootcert`'s, or `~/.postgresql/root.crt`'s when it exists.
    fn root_certificates(params: &TlsParams) -> Result<Option<RootCertStore>, String> {
        let mut roots = RootCertStore::empty();
        let path = match params.root_cert.as_deref() {
            Some("system") => system_bundle()?,
            Some(path) => PathBuf::from(path),
            None => match std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".postgresql/root.crt")) {
                Some(path) if path.exists() => path,
                _ => return Ok(None),
            },
        };
        let shown = path.display();
        for cert in CertificateDer::pem_file_iter(&path).map_err(|e| format!("sslrootcert {shown}: {e}"))? {
            let cert = cert.map_err(|e| format!("sslrootcert {shown}: {e}"))?;
            roots.add(cert).map_err(|e| format!("sslrootcert {shown}: {e}"))?;
        }
        if roots.is_empty() {
            return Err(format!("sslrootcert {shown}: no certificate in the file"));
        }
        Ok(Some(roots))
    }

    /// The operating system's bundle of trusted CAs (`sslrootcert=system`): `$SSL_CERT_FILE`,
    /// else the first of the usual places that exists (Debian and Ubuntu, Fedora and RHEL,
    /// openSUSE, Alpine).
    fn system_bundle() -> Result<PathBuf, String> {
        const BUNDLES: &[&str] = &[
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt",
            "/etc/ssl/ca-bundle.pem",
            "/etc/ssl/cert.pem",
        ];
        if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
            return Ok(PathBuf::from(file));
        }
        BUNDLES.iter().map(PathBuf::from).find(|path| path.exists()).ok_or_else(|| {
            format!("sslrootcert=system: no CA bundle found (looked at $SSL_CERT_FILE and {})", BUNDLES.join(", "))
        })
    }

    /// Accepts any server certificate (`prefer` and `require` without a root certificate):
    /// the connection is encrypted, but the server is not authenticated. The handshake's
    /// signatures are still checked, so the server must hold the certificate's key.
    #[derive(Debug)]
    struct AnyCertificate(Arc<CryptoProvider>);

    impl ServerCertVerifier for AnyCertificate {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// Checks the chain up to a trusted CA but not the host name (`verify-ca`, and
    /// `prefer`/`require` with a root certificate).
    #[derive(Debug)]
    struct AnyName(Arc<WebPkiServerVerifier>);

    impl ServerCertVerifier for AnyName {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp_response: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            // webpki checks the chain before the name, so a name error means the chain is good.
            match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
                )) => Ok(ServerCertVerified::assertion()),
                other => other,
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_verify_schemes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_leave_the_url_and_the_rest_stays() {
        let (params, url) = TlsParams::split(
            "postgres://u@h/db?sslmode=verify-full&application_name=x&sslrootcert=%2Fca.pem&sslcert=c&sslkey=k",
        )
        .unwrap();
        assert_eq!(url, "postgres://u@h/db?application_name=x");
        assert_eq!(params.mode, SslMode::VerifyFull);
        assert_eq!(params.root_cert.as_deref(), Some("/ca.pem"));
        assert_eq!((params.cert.as_deref(), params.key.as_deref()), (Some("c"), Some("k")));
        let (params, url) = TlsParams::split("postgres://u@h/db?sslmode=allow").unwrap();
        assert_eq!((params.mode, url.as_str()), (SslMode::Prefer, "postgres://u@h/db"));
        assert_eq!(TlsParams::split("postgres://u@h/db").unwrap().0.mode, SslMode::Prefer);
    }

    #[test]
    fn an_unknown_mode_is_named() {
        let err = TlsParams::split("postgres://u@h/db?sslmode=always").unwrap_err().to_string();
        assert!(err.contains("sslmode") && err.contains("always"), "{err}");
    }
}

#[cfg(all(test, not(feature = "tls")))]
mod without_tls {
    use super::*;

    #[test]
    fn a_url_that_insists_on_tls_names_the_feature() {
        let url = "postgres://u@h/db?sslmode=verify-full";
        let err = check_plain(&TlsParams::split(url).unwrap().0, url).unwrap_err().to_string();
        assert!(err.contains("`tls` feature"), "{err}");
        let url = "postgres://u@h/db?sslmode=prefer";
        assert!(check_plain(&TlsParams::split(url).unwrap().0, url).is_ok());
    }
}
