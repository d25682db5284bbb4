//! Peer ids as one number, the way the Bot API, Pyrogram and most tools write them: a user
//! is its id, a basic group is `-id`, a channel or supergroup is `-100…` (`-(10¹² + id)`).
//!
//! ```
//! use ferrogram_client_std::PeerId;
//!
//! assert_eq!(PeerId::from_marked(-1001234567890), Some(PeerId::Channel(1234567890)));
//! assert_eq!(PeerId::Chat(42).marked(), -42);
//! assert_eq!(PeerId::from_marked(0), None);
//! ```

use std::fmt;

use ferrogram_tl_types::enums;

/// The offset of channel ids in marked form.
const CHANNEL_OFFSET: i64 = 1_000_000_000_000;

/// A user, basic group or channel by its bare id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeerId {
    /// A user or bot.
    User(i64),
    /// A basic group (`chat`).
    Chat(i64),
    /// A channel or supergroup.
    Channel(i64),
}

impl PeerId {
    /// The bare id (as in TL: `user_id`, `chat_id`, `channel_id`).
    pub fn bare(self) -> i64 {
        match self {
            PeerId::User(id) | PeerId::Chat(id) | PeerId::Channel(id) => id,
        }
    }

    /// The marked id: `id`, `-id` or `-(10¹² + id)`.
    pub fn marked(self) -> i64 {
        match self {
            PeerId::User(id) => id,
            PeerId::Chat(id) => -id,
            PeerId::Channel(id) => -(CHANNEL_OFFSET + id),
        }
    }

    /// Reads a marked id; `None` for 0 and for numbers no peer can have.
    pub fn from_marked(id: i64) -> Option<PeerId> {
        match id {
            1.. => Some(PeerId::User(id)),
            0 | i64::MIN => None,
            _ if -id < CHANNEL_OFFSET => Some(PeerId::Chat(-id)),
            _ => {
                let bare = -id - CHANNEL_OFFSET;
                (bare > 0).then_some(PeerId::Channel(bare))
            }
        }
    }
}

impl From<&enums::Peer> for PeerId {
    fn from(p: &enums::Peer) -> Self {
        match p {
            enums::Peer::User(u) => PeerId::User(u.user_id),
            enums::Peer::Chat(c) => PeerId::Chat(c.chat_id),
            enums::Peer::Channel(c) => PeerId::Channel(c.channel_id),
        }
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            PeerId::User(_) => "user",
            PeerId::Chat(_) => "group",
            PeerId::Channel(_) => "channel",
        };
        write!(f, "{kind} {}", self.marked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_ids_round_trip_and_reject_impossible_numbers() {
        for p in [
            PeerId::User(1),
            PeerId::User(i64::MAX),
            PeerId::Chat(1),
            PeerId::Chat(CHANNEL_OFFSET - 1),
            PeerId::Channel(1),
            PeerId::Channel(1_234_567_890),
        ] {
            assert_eq!(PeerId::from_marked(p.marked()), Some(p), "{p:?}");
        }
        assert_eq!(PeerId::from_marked(-1_000_000_000_000), None);
        assert_eq!(PeerId::from_marked(i64::MIN), None);
        assert_eq!(PeerId::from_marked(0), None);
        // The Bot API's form of a supergroup id.
        assert_eq!(
            PeerId::from_marked(-1_001_234_567_890),
            Some(PeerId::Channel(1_234_567_890))
        );
    }
}
