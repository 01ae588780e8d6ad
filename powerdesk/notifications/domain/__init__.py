"""Pure rules of customer notifications (no Django): channels and purposes, SMS length,
template rendering, quiet hours, retry backoff, channel choice and provider keys."""
