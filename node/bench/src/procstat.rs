//! CPU time and peak memory of a process, from Linux's `/proc`.

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`,
/// 100 on every Linux we run).
const CLK_TCK: f64 = 100.0;

/// One reading of a process.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProcSample {
    /// User CPU seconds since the process started.
    pub user_s: f64,
    /// System CPU seconds since the process started.
    pub system_s: f64,
    /// Peak resident set size (`VmHWM`), KiB.
    pub peak_rss_kib: u64,
    /// Current resident set size (`VmRSS`), KiB.
    pub rss_kib: u64,
}

impl ProcSample {
    /// User plus system seconds.
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.system_s
    }
}

/// `pid` or `self`.
pub fn sample(pid: &str) -> std::io::Result<ProcSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse(&stat, &status).ok_or_else(|| std::io::Error::other(format!("unexpected /proc/{pid} format")))
}

/// Parse `/proc/<pid>/stat` (utime and stime are fields 14 and 15; the
/// command name in field 2 may contain spaces, so count after its `)`) and
/// `/proc/<pid>/status` (`VmHWM`, `VmRSS`).
pub fn parse(stat: &str, status: &str) -> Option<ProcSample> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    // Fields 3.. start after the name: utime is field 14, the 12th from here.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    let kib = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Some(ProcSample {
        user_s: utime as f64 / CLK_TCK,
        system_s: stime as f64 / CLK_TCK,
        peak_rss_kib: kib("VmHWM:"),
        rss_kib: kib("VmRSS:"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_spaces_in_the_name() {
        let stat = "4242 (eco chain) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 100 1000000 5000";
        let status = "Name:\teco chain\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n";
        let s = parse(stat, status).expect("parses");
        assert_eq!(s.user_s, 2.5);
        assert_eq!(s.system_s, 0.75);
        assert_eq!(s.cpu_s(), 3.25);
        assert_eq!(s.peak_rss_kib, 123_456);
        assert_eq!(s.rss_kib, 100_000);
    }

    #[test]
    fn reads_this_process() {
        let s = sample("self").expect("/proc/self");
        assert!(s.peak_rss_kib > 0);
    }
}
