//! Typed indices: an `ArticleId` indexes articles and only articles, a `SectionId` sections;
//! a `Table` is a list indexed by one of them, so a section number cannot pick an article.

use std::marker::PhantomData;

/// A position in a `Table`.
pub trait Id: Copy + Eq + Ord + std::hash::Hash + std::fmt::Debug + Send + Sync {
    fn new(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl Id for $name {
            fn new(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 2^32 items"))
            }

            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// An article: its place in `Content::articles`, and in every per-article table.
    ArticleId
);
id!(
    /// A section (folder of content/); section 0 is the root, the home page.
    SectionId
);

impl SectionId {
    pub const ROOT: SectionId = SectionId(0);
}

/// A list indexed by `I`.
#[derive(Debug, Clone)]
pub struct Table<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I, T> Default for Table<I, T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            id: PhantomData,
        }
    }
}

impl<I: Id, T> Table<I, T> {
    pub fn with_capacity(n: usize) -> Self {
        Vec::with_capacity(n).into()
    }

    /// Adds `item` and returns its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::new(self.items.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// Every id, in order.
    pub fn ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone + use<I, T> {
        (0..self.items.len()).map(I::new)
    }

    /// Each item with its id.
    pub fn enumerate(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items.iter().enumerate().map(|(i, t)| (I::new(i), t))
    }

    /// The items of `range` (of positions), with their ids.
    pub fn ids_in(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone + use<I, T> {
        debug_assert!(range.end <= self.items.len());
        range.map(I::new)
    }

    /// The first position whose item is not `pred` (items are partitioned by `pred`).
    pub fn partition_point(&self, pred: impl FnMut(&T) -> bool) -> usize {
        self.items.partition_point(pred)
    }

    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }

    /// A table of the same ids, one `f(item)` each.
    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Table<I, U> {
        self.items.iter().map(f).collect::<Vec<U>>().into()
    }
}

impl<I: Id, T: Sync> Table<I, T> {
    /// Each item with its id, in parallel.
    pub fn par_enumerate(&self) -> impl rayon::iter::IndexedParallelIterator<Item = (I, &T)> + '_ {
        use rayon::prelude::*;
        self.items
            .par_iter()
            .enumerate()
            .map(|(i, t)| (I::new(i), t))
    }
}

impl<I: Id, T: Send> Table<I, T> {
    /// Each item, to change, with its id, in parallel.
    pub fn par_enumerate_mut(
        &mut self,
    ) -> impl rayon::iter::IndexedParallelIterator<Item = (I, &mut T)> + '_ {
        use rayon::prelude::*;
        self.items
            .par_iter_mut()
            .enumerate()
            .map(|(i, t)| (I::new(i), t))
    }
}

impl<I, T> From<Vec<T>> for Table<I, T> {
    fn from(items: Vec<T>) -> Self {
        Table {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for Table<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        iter.into_iter().collect::<Vec<T>>().into()
    }
}

impl<I: Id, T> std::ops::Index<I> for Table<I, T> {
    type Output = T;

    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for Table<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<'a, I, T> IntoIterator for &'a Table<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I, T> IntoIterator for Table<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_their_own_table() {
        let mut t: Table<ArticleId, &str> = Table::default();
        let a = t.push("a");
        let b = t.push("b");
        assert_eq!((t[a], t[b]), ("a", "b"));
        assert_eq!(t.ids().collect::<Vec<_>>(), vec![a, b]);
        assert_eq!(
            t.enumerate()
                .map(|(i, s)| (i.index(), *s))
                .collect::<Vec<_>>(),
            [(0, "a"), (1, "b")]
        );
    }
}
