//! Types that hold secrets: redacted when formatted, zeroized on drop.
