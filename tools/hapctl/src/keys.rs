//! `hapctl keygen` and `hapctl decrypt`

use std::fs;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hap_crypt4gh::{KeyProtection, SecretKey, decrypt as decrypt_file};
use hap_package::{ENCRYPTED_EXTENSION, Manifest, verify_manifest};

#[derive(clap::Args)]
pub struct KeygenArgs {
    /// Path prefix: writes PREFIX.pub and PREFIX.sec (unencrypted, mode 600).
    #[arg(long)]
    pub out: PathBuf,
}

#[allow(clippy::print_stdout)]
pub fn keygen(args: KeygenArgs) -> anyhow::Result<()> {
    let secret = SecretKey::generate();
    let public_path = args.out.with_extension("pub");
    let secret_path = args.out.with_extension("sec");
    if let Some(parent) = public_path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&public_path, secret.public_key().to_pem())
        .with_context(|| format!("writing {}", public_path.display()))?;
    fs::write(&secret_path, secret.to_pem(KeyProtection::None)?)
        .with_context(|| format!("writing {}", secret_path.display()))?;
    restrict(&secret_path)?;
    println!(
        "wrote {} and {}",
        public_path.display(),
        secret_path.display()
    );
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[derive(clap::Args)]
pub struct DecryptArgs {
    /// Folder with the downloaded `.c4gh` files.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Folder for the decrypted files.
    #[arg(long)]
    pub out: PathBuf,
    /// The recipient's secret key file.
    #[arg(long)]
    pub key: PathBuf,
}

/// Decrypts every `.c4gh` file and verifies the result against its manifest.
#[allow(clippy::print_stdout)]
pub fn decrypt(args: DecryptArgs) -> anyhow::Result<Manifest> {
    let text = fs::read_to_string(&args.key)
        .with_context(|| format!("reading the secret key {}", args.key.display()))?;
    let key = SecretKey::from_pem(&text, None)?;
    fs::create_dir_all(&args.out)?;

    let suffix = format!(".{ENCRYPTED_EXTENSION}");
    let mut count = 0;
    for entry in fs::read_dir(&args.input)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(plain_name) = name.strip_suffix(&suffix) else {
            continue;
        };
        let reader = BufReader::new(fs::File::open(&path)?);
        let writer = BufWriter::new(fs::File::create(args.out.join(plain_name))?);
        decrypt_file(reader, writer, &key).with_context(|| format!("decrypting {name}"))?;
        count += 1;
    }
    if count == 0 {
        bail!(
            "no .{ENCRYPTED_EXTENSION} files found in {}",
            args.input.display()
        );
    }
    let manifest =
        verify_manifest(&args.out).context("checking the decrypted files against manifest.json")?;
    println!(
        "decrypted {count} files into {}; all match the manifest",
        args.out.display()
    );
    Ok(manifest)
}
