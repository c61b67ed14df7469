# Boot probe: the guest reached its scenario (used to tell whether KVM really runs a guest).
result probe ok
