// One guest at a time: every guest test boots QEMU on a two-core machine (QemuGuest also serializes its boots).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
