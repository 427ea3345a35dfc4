//! Findings shared by check-role, token check, doctor, check-job and every step's verify.
