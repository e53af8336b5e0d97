//! Trace sampling, decided on the trace id exactly as OpenTelemetry's
//! `TraceIdRatioBased` sampler does, so every observation of a trace (and any backend
//! using the same rule) makes the same decision. A rate of 0 records nothing.

use crate::ids::TraceId;

/// Whether a trace with this id is recorded at `rate` (clamped to [0, 1]).
pub fn should_sample(trace_id: TraceId, rate: f64) -> bool {
    if rate >= 1.0 {
        return true;
    }
    if rate.is_nan() || rate <= 0.0 {
        return false;
    }
    let bound = (rate * (1u64 << 63) as f64) as u64;
    (trace_id.low_u64() >> 1) < bound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_one_are_absolute() {
        for i in 0..1000 {
            let id = TraceId::from_seed(&i.to_string());
            assert!(!should_sample(id, 0.0));
            assert!(should_sample(id, 1.0));
        }
    }

    #[test]
    fn half_samples_about_half_deterministically() {
        let ids: Vec<_> = (0..10_000).map(|i| TraceId::from_seed(&format!("t{i}"))).collect();
        let kept = ids.iter().filter(|id| should_sample(**id, 0.5)).count();
        assert!((4_500..5_500).contains(&kept), "kept {kept}");
        assert!(ids.iter().all(|id| should_sample(*id, 0.5) == should_sample(*id, 0.5)));
        // Monotone: a trace kept at 0.3 is kept at 0.6.
        assert!(ids.iter().filter(|id| should_sample(**id, 0.3)).all(|id| should_sample(*id, 0.6)));
    }
}
