//! Authentication (token → caller) and authorisation of every logical request.
