//! The checksum policy and profile a caller validates under.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Check-digit rules that [`crate::parse`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ChecksumPolicy {
    /// Both weighted sums must be divisible by 11.
    #[serde(rename = "classic")]
    Classic,
    /// The classic rule, or the rule for numbers issued from 2032: the first
    /// weighted sum may leave remainder 0, 1, 2 or 3. Systems must accept both.
    #[default]
    #[serde(rename = "allow-2032")]
    Allow2032,
}

/// Kinds of number that a deployment accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Rejects synthetic and test numbers.
    #[default]
    Production,
    /// Accepts every kind, including synthetic and test numbers.
    Test,
}

/// Checksum policy and profile that [`crate::parse`] validates under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Rules {
    pub policy: ChecksumPolicy,
    pub profile: Profile,
}

/// Error for a name that matches no variant of one of this crate's enums.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {category} `{name}`: expected one of {}", .expected.join(", "))]
pub struct UnknownName {
    /// Kind of value the name selects, such as "checksum policy".
    pub category: &'static str,
    pub name: String,
    /// Every accepted name.
    pub expected: &'static [&'static str],
}

/// Implements `as_str`, `Display` and `FromStr` from one table of names, so
/// the three always agree with each other and with the serde names.
macro_rules! named_enum {
    ($ty:ty, $category:literal, $($variant:path => $name:literal),+ $(,)?) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$($variant),+];

            /// Kebab-case name, as used in JSON output and on the command line.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($variant => $name,)+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::rules::UnknownName;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $($name => Ok($variant),)+
                    _ => Err($crate::rules::UnknownName {
                        category: $category,
                        name: name.to_owned(),
                        expected: &[$($name),+],
                    }),
                }
            }
        }
    };
}
pub(crate) use named_enum;

named_enum!(
    ChecksumPolicy, "checksum policy",
    ChecksumPolicy::Classic => "classic",
    ChecksumPolicy::Allow2032 => "allow-2032",
);

named_enum!(
    Profile, "profile",
    Profile::Production => "production",
    Profile::Test => "test",
);

impl Rules {
    pub const fn new(policy: ChecksumPolicy, profile: Profile) -> Self {
        Self { policy, profile }
    }
}

impl fmt::Display for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "policy {}, profile {}", self.policy, self.profile)
    }
}
