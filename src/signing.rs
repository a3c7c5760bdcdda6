//! AK/SK request signing (SDK-HMAC-SHA256).
