//! Norwegian national identity numbers: normalisation, checksum rules, kinds,
//! century and birth-date derivation.
//!
//! Module map:
//! - [`rules`]: checksum policy, profile and the [`Rules`] that combine them.
//! - [`kind`]: the kinds of number ([`Kind`]).
//! - [`rejection`]: why a number is invalid ([`Reason`], [`Rejection`]).
//! - [`warning`]: facts about a valid number that a caller should see ([`Warning`]).
//! - `normalize`: whitespace and separator handling, the lost-leading-zero check.
//! - [`checksum`]: the two mod-11 check digits, classic and 2032 rules.
//! - `date`: kind offsets in the date digits and date existence.
//! - `century`: the century encoded by the individual number.
//! - [`number`]: the validated [`IdentityNumber`].
//! - `parse`: [`parse`], the hot-path entry point.
//! - [`analysis`]: [`Analysis`], the full report behind `hapctl id check`.
//!
//! No error's `Display` text or panic message in this crate contains an
//! identity number, and `Debug` of [`IdentityNumber`] shows a masked form.
//! [`Analysis`] does contain its input, because it is the output of a command
//! that checks the user's own numbers: never log it.

pub mod analysis;
mod century;
pub mod checksum;
mod date;
pub mod kind;
mod normalize;
pub mod number;
mod parse;
pub mod rejection;
pub mod rules;
pub mod warning;

pub use analysis::{Analysis, analyze};
pub use checksum::{ChecksumRule, classic_check_digits};
pub use kind::Kind;
pub use number::{IdentityNumber, Masked};
pub use parse::parse;
pub use rejection::{Reason, Rejection};
pub use rules::{ChecksumPolicy, Profile, Rules, UnknownName};
pub use warning::Warning;
