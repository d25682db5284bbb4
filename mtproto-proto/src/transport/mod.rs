//! Transport framing: how MTProto packets are cut into a byte stream and found again.
