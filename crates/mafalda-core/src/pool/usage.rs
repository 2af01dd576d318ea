//! `worker.getResourceUsage()` as mediasoup answers it: `getrusage()` of the process
//! the worker runs in (times in ms, sizes in KiB, as the kernel gives them).

use serde_json::{json, Value};

pub fn resource_usage() -> Value {
    // SAFETY: getrusage fills the struct it is given; zeroed is a valid rusage.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    json!({
        "ru_utime": ms(usage.ru_utime),
        "ru_stime": ms(usage.ru_stime),
        "ru_maxrss": usage.ru_maxrss,
        "ru_ixrss": usage.ru_ixrss,
        "ru_idrss": usage.ru_idrss,
        "ru_isrss": usage.ru_isrss,
        "ru_minflt": usage.ru_minflt,
        "ru_majflt": usage.ru_majflt,
        "ru_nswap": usage.ru_nswap,
        "ru_inblock": usage.ru_inblock,
        "ru_oublock": usage.ru_oublock,
        "ru_msgsnd": usage.ru_msgsnd,
        "ru_msgrcv": usage.ru_msgrcv,
        "ru_nsignals": usage.ru_nsignals,
        "ru_nvcsw": usage.ru_nvcsw,
        "ru_nivcsw": usage.ru_nivcsw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_cpu_time_this_process_spent() {
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < std::time::Duration::from_millis(30) {
            x = x.wrapping_add(1);
        }
        assert!(x > 0);
        let usage = resource_usage();
        assert!(usage["ru_utime"].as_f64().unwrap() + usage["ru_stime"].as_f64().unwrap() > 0.0);
        assert!(usage["ru_maxrss"].as_i64().unwrap() > 0);
    }
}
