//! The sandbox's clock: wall time plus an offset that tests advance (`advance_clock`).
#[derive(Debug, Default)]
pub struct Clock {}
