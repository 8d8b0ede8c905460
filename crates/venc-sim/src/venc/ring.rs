//! The per-channel output ring: 30 pack slots with write, read and release pointers, as the
//! kernel driver keeps them (facts §2.4).
//!
//! Invariants: `release <= read <= write`; `write - release <= depth`; packs between `release`
//! and `read` are handed out and hold their output block until released; packs between `read`
//! and `write` are queued (`cur_packs`).

use venc_core::{Pack, PackType};

#[derive(Debug, Clone, Copy)]
struct Slot {
    pack: Pack,
    /// Output block holding the bytes.
    block: u64,
}

/// What pushing onto a full ring overwrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwritten {
    /// The block of the pack that was lost (back to the free list).
    pub block: u64,
    /// Whether the lost pack had not been handed out yet.
    pub was_queued: bool,
    /// Pointers before the overwrite: release, read, write.
    pub pointers: (u64, u64, u64),
}

/// The ring.
#[derive(Debug)]
pub struct PackRing {
    slots: Vec<Slot>,
    write: u64,
    read: u64,
    release: u64,
}

impl PackRing {
    /// An empty ring of `depth` slots.
    pub fn new(depth: usize) -> Self {
        let empty = Slot {
            pack: Pack {
                phys_addr: 0,
                len: 0,
                pts: 0,
                pack_type: PackType::P,
            },
            block: 0,
        };
        Self {
            slots: vec![empty; depth],
            write: 0,
            read: 0,
            release: 0,
        }
    }

    fn depth(&self) -> u64 {
        self.slots.len() as u64
    }

    fn slot(&mut self, counter: u64) -> &mut Slot {
        let d = self.depth();
        &mut self.slots[(counter % d) as usize]
    }

    /// Packs queued and not yet handed out (`query_status.cur_packs`).
    pub fn queued(&self) -> u32 {
        (self.write - self.read) as u32
    }

    /// Packs handed out and not yet released.
    pub fn outstanding(&self) -> u32 {
        (self.read - self.release) as u32
    }

    /// Appends a pack. A HEADER pack keeps the slot's stale pts, as the firmware does. On a full
    /// ring the oldest pack is overwritten and returned (the driver only logs this).
    pub fn push(
        &mut self,
        pack_type: PackType,
        phys_addr: u64,
        len: u32,
        pts: u64,
        block: u64,
    ) -> Option<Overwritten> {
        let lost = if self.held() == self.depth() {
            self.overwrite_oldest()
        } else {
            None
        };
        let w = self.write;
        let slot = self.slot(w);
        let pts = if pack_type == PackType::Header {
            slot.pack.pts
        } else {
            pts
        };
        *slot = Slot {
            pack: Pack {
                phys_addr,
                len,
                pts,
                pack_type,
            },
            block,
        };
        self.write += 1;
        lost
    }

    /// Packs in the ring, queued or handed out and not yet released.
    pub fn held(&self) -> u64 {
        self.write - self.release
    }

    /// Gives up the oldest pack, handed out or not, as a full ring does to make room: its
    /// block is returned to be reused (`None` on an empty ring).
    pub fn overwrite_oldest(&mut self) -> Option<Overwritten> {
        if self.held() == 0 {
            return None;
        }
        let pointers = (self.release, self.read, self.write);
        let oldest = self.release;
        let block = self.slot(oldest).block;
        let was_queued = self.read == self.release;
        self.release += 1;
        if self.read < self.release {
            self.read = self.release;
        }
        Some(Overwritten {
            block,
            was_queued,
            pointers,
        })
    }

    /// Hands out up to `max` queued packs, oldest first.
    pub fn take(&mut self, max: u32, out: &mut Vec<Pack>) {
        let n = self.queued().min(max);
        for _ in 0..n {
            let r = self.read;
            out.push(self.slot(r).pack);
            self.read += 1;
        }
    }

    /// Releases up to `n` handed-out packs in FIFO order; returns their blocks.
    pub fn release(&mut self, n: u32, freed: &mut impl Extend<u64>) -> u32 {
        let n = self.outstanding().min(n);
        for _ in 0..n {
            let r = self.release;
            freed.extend([self.slot(r).block]);
            self.release += 1;
        }
        n
    }

    /// Empties the ring, returning every block it holds.
    pub fn clear(&mut self, freed: &mut Vec<u64>) {
        while self.release < self.write {
            let r = self.release;
            freed.push(self.slot(r).block);
            self.release += 1;
        }
        self.read = self.write;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_take_and_release() {
        let mut r = PackRing::new(3);
        r.push(PackType::Header, 0x1000, 10, 5, 1);
        r.push(PackType::I, 0x2000, 20, 7, 2);
        assert_eq!(r.queued(), 2);
        let mut out = Vec::new();
        r.take(1, &mut out);
        assert_eq!(out[0].pack_type, PackType::Header);
        assert_eq!(out[0].pts, 0, "header keeps the slot's stale pts");
        assert_eq!((r.queued(), r.outstanding()), (1, 1));
        let mut freed = Vec::new();
        assert_eq!(
            r.release(5, &mut freed),
            1,
            "only handed-out packs are released"
        );
        assert_eq!(freed, vec![1]);
    }

    #[test]
    fn overflow_overwrites_the_oldest() {
        let mut r = PackRing::new(2);
        assert!(r.push(PackType::P, 1, 1, 1, 11).is_none());
        assert!(r.push(PackType::P, 2, 1, 2, 12).is_none());
        let lost = r.push(PackType::P, 3, 1, 3, 13).unwrap();
        assert_eq!(lost.block, 11);
        assert!(lost.was_queued);
        let mut out = Vec::new();
        r.take(5, &mut out);
        assert_eq!(out.iter().map(|p| p.pts).collect::<Vec<_>>(), vec![2, 3]);
        // stale pts of a reused slot shows on the next header
        r.push(PackType::Header, 4, 1, 99, 14);
        let mut out = Vec::new();
        r.take(1, &mut out);
        assert_eq!(out[0].pts, 2);
    }
}
