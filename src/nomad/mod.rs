//! Nomad's rules as data and pure functions: no network here.
