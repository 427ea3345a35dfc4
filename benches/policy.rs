//! Policy text at scale: parsing (`PolicyStep::new`, i.e. `acl::parse_policy`), normalising
//! the live text and comparing it (`is_in_place`), and the diff shown for an update
//! (`steps::policy::policy_diff`, which normalises the live text again and diffs the two
//! normalised texts), for a generated policy of N path blocks (default 16,000, then 90,000:
//! 10 MB in HCL), in HCL and in JSON (Vault's HCL1 parser takes both).
//!
//! ```text
//! cargo bench -p nvctl --bench policy -- [paths...]
//! ```
//!
//! The live text is the desired one reformatted (blocks in reverse order, one line each) with
//! every 10th block's capabilities changed, so the comparison has to parse both sides and the
//! diff has many hunks (a diff of the raw texts of two such layouts was quadratic: 8,000
//! paths took 7 s). Figures for BENCHMARKS.md, never assertions (issue 10: a 10 MB policy
//! diffs in seconds; 16,000 paths took 6 s before).

use std::time::{Duration, Instant};

use nvctl::acl;
use nvctl::steps::policy::policy_diff;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if args.is_empty() {
        vec![16_000, 90_000]
    } else {
        args
    };
    println!(
        "| paths | format | size | parse | normalise live + compare | diff | total | lines changed |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for paths in sizes {
        for json in [false, true] {
            let desired = policy(paths, json, false);
            let live = policy(paths, json, true);
            let start = Instant::now();
            let doc =
                acl::parse_policy(&desired, "bench.hcl").expect("the generated policy parses");
            let parse = start.elapsed();
            let start = Instant::now();
            let same = acl::normalise(&live) == acl::canonical_text(&doc);
            let compare = start.elapsed();
            assert!(!same, "the live text was changed on purpose");
            let start = Instant::now();
            let diff = policy_diff(Some(&live), &doc, "bench");
            let diffing = start.elapsed();
            // Every 10th block changed: one line out and one in each, when the diff is the
            // smallest (more means the time limit cut it short).
            let changed = diff
                .lines()
                .filter(|l| {
                    (l.starts_with('+') && !l.starts_with("+++"))
                        || (l.starts_with('-') && !l.starts_with("---"))
                })
                .count();
            println!(
                "| {paths} | {} | {:.1} MB | {} | {} | {} | {} | {changed} (smallest: {}) |",
                if json { "JSON" } else { "HCL" },
                desired.len() as f64 / 1e6,
                ms(parse),
                ms(compare),
                ms(diffing),
                ms(parse + compare + diffing),
                2 * paths.div_ceil(10)
            );
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// N path blocks; `live` reverses their order, puts each on one line and changes every 10th.
fn policy(paths: usize, json: bool, live: bool) -> String {
    let rule = |i: usize| {
        let caps: &[&str] = if live && i % 10 == 0 {
            &["read"]
        } else {
            &["create", "read", "update", "list"]
        };
        (format!("secret/data/team-{}/app-{i}/*", i % 97), caps)
    };
    let order: Vec<usize> = if live {
        (0..paths).rev().collect()
    } else {
        (0..paths).collect()
    };
    if json {
        let body: Vec<String> = order
            .into_iter()
            .map(|i| {
                let (path, caps) = rule(i);
                let caps: Vec<String> = caps.iter().map(|c| format!("{c:?}")).collect();
                format!("    {path:?}: {{\"capabilities\": [{}]}}", caps.join(", "))
            })
            .collect();
        format!("{{\n  \"path\": {{\n{}\n  }}\n}}\n", body.join(",\n"))
    } else {
        let mut out = String::new();
        for i in order {
            let (path, caps) = rule(i);
            let caps: Vec<String> = caps.iter().map(|c| format!("{c:?}")).collect();
            if live {
                out.push_str(&format!(
                    "path {path:?} {{ capabilities = [{}] }}\n",
                    caps.join(",")
                ));
            } else {
                out.push_str(&format!(
                    "# rule {i}\npath {path:?} {{\n  capabilities = [{}]\n}}\n\n",
                    caps.join(", ")
                ));
            }
        }
        out
    }
}
