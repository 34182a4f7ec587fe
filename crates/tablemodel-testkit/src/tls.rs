//! Certificates made at test time for a server started with `ssl=on`: a CA, a server
//! certificate for `localhost` signed by it, a client certificate for the `postgres` user,
//! and a second, unrelated CA that signed nothing the server shows.
//!
//! Generated fresh for each server (rcgen), so no key lives in the repository and none
//! expires between runs.

use std::fs::{self, Permissions};
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

use crate::identity::RunAs;

/// The PEM files of a TLS test server, in its temporary directory.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The CA that signed the server's and the client's certificates (`sslrootcert`).
    pub ca_cert: PathBuf,
    /// A CA that signed neither: a client trusting only it must reject the server.
    pub other_ca_cert: PathBuf,
    /// The server's certificate: names `localhost` only (not `127.0.0.1`).
    pub server_cert: PathBuf,
    /// The server's private key.
    pub server_key: PathBuf,
    /// A client certificate for the `postgres` user, signed by the CA (`sslcert`).
    pub client_cert: PathBuf,
    /// The client certificate's private key (`sslkey`).
    pub client_key: PathBuf,
}

/// Makes the certificates in `dir`, owned by `run_as` (the server refuses a key file that
/// others can read).
pub(crate) fn generate(dir: &Path, run_as: Option<RunAs>) -> Result<TlsFiles, String> {
    let fail = |e: rcgen::Error| format!("cannot make test certificates: {e}");
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    let ca = certificate_authority("tablemodel test CA").map_err(fail)?;
    let other_ca = certificate_authority("tablemodel unrelated CA").map_err(fail)?;

    let server_key = KeyPair::generate().map_err(fail)?;
    let mut server = CertificateParams::new(vec!["localhost".to_owned()]).map_err(fail)?;
    server.distinguished_name.push(DnType::CommonName, "localhost");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server.signed_by(&server_key, &ca).map_err(fail)?;

    let client_key = KeyPair::generate().map_err(fail)?;
    let mut client = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    client.distinguished_name.push(DnType::CommonName, "postgres");
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client.signed_by(&client_key, &ca).map_err(fail)?;

    let files = TlsFiles {
        ca_cert: dir.join("ca.crt"),
        other_ca_cert: dir.join("other-ca.crt"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
        client_cert: dir.join("client.crt"),
        client_key: dir.join("client.key"),
    };
    for (path, pem) in [
        (&files.ca_cert, ca.pem()),
        (&files.other_ca_cert, other_ca.pem()),
        (&files.server_cert, server_cert.pem()),
        (&files.server_key, server_key.serialize_pem()),
        (&files.client_cert, client_cert.pem()),
        (&files.client_key, client_key.serialize_pem()),
    ] {
        fs::write(path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        fs::set_permissions(path, Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot chmod {}: {e}", path.display()))?;
        if let Some(user) = run_as {
            chown(path, Some(user.uid), Some(user.gid))
                .map_err(|e| format!("cannot give {} to the postgres user: {e}", path.display()))?;
        }
    }
    Ok(files)
}

fn certificate_authority(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    CertifiedIssuer::self_signed(params, KeyPair::generate()?)
}
