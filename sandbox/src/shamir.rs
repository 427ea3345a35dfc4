//! Shamir's secret sharing over GF(2^8), as Vault splits its root key (vault-api.md §1).
//!
//! Each share is the polynomial values for every secret byte followed by one byte holding the
//! share's x-coordinate, so a 32-byte key gives 33-byte shares. x-coordinates are distinct,
//! non-zero and random; the secret is the polynomials' value at x = 0.

use rand::seq::SliceRandom;
use rand::{Rng, RngCore};

/// Why shares could not be combined; the text ends up after
/// `invalid key: failed to compute combined key: ` in the unseal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CombineError {
    TooFew,
    TooShort,
    LengthMismatch,
    DuplicatePart,
}

impl std::fmt::Display for CombineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CombineError::TooFew => "less than two parts cannot be used to reconstruct the secret",
            CombineError::TooShort => "parts must be at least two bytes",
            CombineError::LengthMismatch => "all parts must be the same length",
            CombineError::DuplicatePart => "duplicate part detected",
        })
    }
}

/// Multiplication in GF(2^8) with the AES reduction polynomial x^8 + x^4 + x^3 + x + 1.
fn mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    product
}

/// The multiplicative inverse: a^254 (the group of non-zero elements has order 255).
fn inverse(a: u8) -> u8 {
    let mut result = 1u8;
    let mut base = a;
    let mut exp = 254u8;
    while exp != 0 {
        if exp & 1 != 0 {
            result = mul(result, base);
        }
        base = mul(base, base);
        exp >>= 1;
    }
    result
}

fn div(a: u8, b: u8) -> u8 {
    mul(a, inverse(b))
}

/// Evaluates the polynomial with `coefficients[0]` as the constant term at `x` (Horner).
fn evaluate(coefficients: &[u8], x: u8) -> u8 {
    coefficients
        .iter()
        .rev()
        .fold(0u8, |acc, &c| mul(acc, x) ^ c)
}

/// Splits `secret` into `parts` shares, any `threshold` of which rebuild it.
/// Callers validate `2 <= threshold <= parts <= 255` first (the seal configuration does).
pub fn split(secret: &[u8], parts: u8, threshold: u8) -> Vec<Vec<u8>> {
    let mut rng = rand::thread_rng();
    let mut xs: Vec<u8> = (1..=255u8).collect();
    xs.shuffle(&mut rng);
    xs.truncate(usize::from(parts));

    let mut shares: Vec<Vec<u8>> = xs
        .iter()
        .map(|_| Vec::with_capacity(secret.len() + 1))
        .collect();
    let mut coefficients = vec![0u8; usize::from(threshold)];
    for &byte in secret {
        coefficients[0] = byte;
        rng.fill_bytes(&mut coefficients[1..]);
        // A zero leading coefficient would lower the degree; any non-zero value keeps it.
        if threshold > 1 && coefficients[usize::from(threshold) - 1] == 0 {
            coefficients[usize::from(threshold) - 1] = rng.gen_range(1..=255);
        }
        for (share, &x) in shares.iter_mut().zip(&xs) {
            share.push(evaluate(&coefficients, x));
        }
    }
    for (share, &x) in shares.iter_mut().zip(&xs) {
        share.push(x);
    }
    shares
}

/// Rebuilds the secret from shares by Lagrange interpolation at x = 0.
pub fn combine(parts: &[Vec<u8>]) -> Result<Vec<u8>, CombineError> {
    if parts.len() < 2 {
        return Err(CombineError::TooFew);
    }
    let len = parts[0].len();
    if len < 2 {
        return Err(CombineError::TooShort);
    }
    if parts.iter().any(|p| p.len() != len) {
        return Err(CombineError::LengthMismatch);
    }
    let xs: Vec<u8> = parts.iter().map(|p| p[len - 1]).collect();
    for (i, x) in xs.iter().enumerate() {
        if xs[..i].contains(x) {
            return Err(CombineError::DuplicatePart);
        }
    }
    let mut secret = vec![0u8; len - 1];
    for (i, &xi) in xs.iter().enumerate() {
        // basis_i(0) = prod_{j != i} x_j / (x_j - x_i); subtraction is XOR in GF(2^8).
        let mut basis = 1u8;
        for (j, &xj) in xs.iter().enumerate() {
            if i != j {
                basis = mul(basis, div(xj, xj ^ xi));
            }
        }
        for (out, &y) in secret.iter_mut().zip(&parts[i][..len - 1]) {
            *out ^= mul(y, basis);
        }
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_times_its_inverse_is_one() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, inverse(a)), 1, "a = {a}");
        }
    }

    #[test]
    fn shares_are_one_byte_longer_than_the_secret_and_any_threshold_subset_rebuilds_it() {
        let secret: Vec<u8> = (0..32).map(|i| i * 7 + 3).collect();
        let shares = split(&secret, 5, 3);
        assert_eq!(shares.len(), 5);
        assert!(shares.iter().all(|s| s.len() == 33));
        for a in 0..5 {
            for b in 0..5 {
                for c in 0..5 {
                    if a != b && b != c && a != c {
                        let subset = vec![shares[a].clone(), shares[b].clone(), shares[c].clone()];
                        assert_eq!(combine(&subset).unwrap(), secret);
                    }
                }
            }
        }
    }

    #[test]
    fn fewer_shares_than_the_threshold_do_not_rebuild_the_secret() {
        let secret = [0x42u8; 32];
        let shares = split(&secret, 5, 3);
        let two = vec![shares[0].clone(), shares[1].clone()];
        assert_ne!(combine(&two).unwrap(), secret.to_vec());
    }

    #[test]
    fn combine_rejects_duplicates_and_mismatched_lengths() {
        let shares = split(&[1u8; 32], 3, 2);
        assert_eq!(
            combine(&[shares[0].clone(), shares[0].clone()]),
            Err(CombineError::DuplicatePart)
        );
        assert_eq!(
            combine(&[shares[0].clone(), shares[1][..20].to_vec()]),
            Err(CombineError::LengthMismatch)
        );
        assert_eq!(combine(&[shares[0].clone()]), Err(CombineError::TooFew));
    }
}
