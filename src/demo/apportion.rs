//! Largest-remainder apportionment: splits a total over weights so that the parts sum exactly to
//! the total and each part is its exact quota rounded down or up.

/// Parts of `total` proportional to `weights`. Ties in the remainders go to the earlier weight,
/// so the result depends only on the input. All-zero weights give all zeros (and a total of 0
/// is the only total they can carry exactly).
pub fn largest_remainder(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
        parts.push((exact / sum) as u64);
        remainders.push((exact % sum, i));
    }
    let given: u64 = parts.iter().sum();
    // Largest remainder first; equal remainders by position.
    remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take((total - given) as usize) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(largest_remainder(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(largest_remainder(7, &[50, 30, 20]), vec![4, 2, 1]);
        assert_eq!(largest_remainder(0, &[5, 5]), vec![0, 0]);
        assert_eq!(largest_remainder(3, &[0, 0]), vec![0, 0]);
        assert_eq!(largest_remainder(5, &[0, 2, 0]), vec![0, 5, 0]);
    }

    proptest! {
        #[test]
        fn sums_exactly_and_stays_within_one_of_the_quota(
            total in 0u64..2_000_000,
            weights in prop::collection::vec(0u64..2_000_000, 1..200),
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let parts = largest_remainder(total, &weights);
            prop_assert_eq!(parts.iter().sum::<u64>(), total);
            let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
            for (p, w) in parts.iter().zip(&weights) {
                let floor = (u128::from(total) * u128::from(*w) / sum) as u64;
                prop_assert!(*p == floor || *p == floor + 1);
            }
        }
    }
}
