//! Criterion bench of D5 across processes (issue 13): sign-ins of unknown
//! logins against one SQLite file, by one process and by two at once. Each
//! attempt does what any sign-in of an unknown login does: a throttle
//! reservation committed, a password hashed (with the dummy hash), the
//! attempt's audit entry committed to the directory chain, both commits
//! durable. Every attempt names a new login, so none is throttled.
//!
//! The argon2 cost is lowered to [`COST`] (half the default's memory, one
//! pass of two: a quarter of its work), so that the bench is quick. The
//! commits, which the processes take in turn, then weigh more than at the
//! default cost: the ratio falls as the cost does.
//!
//! The bench binary runs itself as the worker processes: each opens the
//! file and builds its Directory, says it is ready, and signs in when told
//! to; only the sign-ins are timed. One iteration is one sign-in, so the
//! two groups' times per iteration compare throughputs.
//!
//! Run: `cargo bench -p contactkeeper --bench sign_in_processes`. The
//! figures are in BENCHMARKS.md.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench code: a failed unwrap is a failed bench"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use contactkeeper::*;
use criterion::{BenchmarkId, Criterion, Throughput};

/// The lowered argon2 cost of the bench (the default is 19,456 KiB, 2 passes).
const COST: HashCost = HashCost {
    m_kib: 9_728,
    t: 1,
    p: 1,
};

/// Set in a worker: `<file>\t<attempts>\t<name>`.
const WORKER: &str = "CONTACTKEEPER_BENCH_WORKER";

/// A worker: opens the file, says "ready", waits for "go", makes its
/// attempts, says "done".
fn worker(spec: &str) {
    let mut parts = spec.split('\t');
    let (path, n, name) = (
        parts.next().unwrap(),
        parts.next().unwrap().parse::<u64>().unwrap(),
        parts.next().unwrap(),
    );
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(Path::new(path)).unwrap());
    let dir = Directory::builder(store).hash_cost(COST).unwrap().build();
    let wrong = Password::new("not the password");
    let ip = "192.0.2.1".parse().unwrap();
    let mut out = std::io::stdout();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    for i in 0..n {
        let login = format!("nobody-{name}-{i}");
        let o = dir
            .sign_in(&SignInRequest::new(&login, &wrong, ip))
            .unwrap();
        assert!(matches!(o, SignInOutcome::InvalidCredentials));
    }
    writeln!(out, "done").unwrap();
    out.flush().unwrap();
}

/// Runs `processes` workers sharing `attempts` sign-ins on `path`, and
/// returns the time from "go" to the last "done".
fn run(path: &Path, processes: u64, attempts: u64, round: &mut u64) -> Duration {
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<(Child, BufReader<std::process::ChildStdout>)> = (0..processes)
        .map(|p| {
            *round += 1;
            let share = attempts / processes + u64::from(p < attempts % processes);
            let mut child = Command::new(&exe)
                .env(WORKER, format!("{}\t{share}\tr{round}p{p}", path.display()))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("the bench runs itself as a worker");
            let out = BufReader::new(child.stdout.take().unwrap());
            (child, out)
        })
        .collect();
    let mut line = String::new();
    for (_, out) in &mut children {
        line.clear();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready");
    }
    let started = Instant::now();
    for (child, _) in &mut children {
        writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    }
    for (_, out) in &mut children {
        line.clear();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "done");
    }
    let elapsed = started.elapsed();
    for (mut child, _) in children {
        assert!(child.wait().unwrap().success());
    }
    elapsed
}

fn main() {
    if let Ok(spec) = std::env::var(WORKER) {
        worker(&spec);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d5.db");
    drop(SqliteStore::open(&path).unwrap());
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    let mut g = c.benchmark_group("sign_in_unknown_processes");
    g.throughput(Throughput::Elements(1));
    let mut round = 0;
    for processes in [1, 2] {
        g.bench_function(BenchmarkId::from_parameter(processes), |b| {
            b.iter_custom(|iters| run(&path, processes, iters, &mut round))
        });
    }
    g.finish();
    c.final_summary();
}
