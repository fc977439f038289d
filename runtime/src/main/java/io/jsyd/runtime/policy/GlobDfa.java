package io.jsyd.runtime.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton for all the globs of one category, built up front
 * (subset construction over byte classes). Deciding a path is one table lookup
 * per byte, no allocation, no lock, and stops as soon as no glob can match any
 * more. Each state knows the highest-numbered rule that accepts there, which is
 * Syd's "last matching rule wins" without looking at the rules at all.
 *
 * <p>Subset construction can blow up for adversarial globs; past
 * {@code maxStates} the caller falls back to simulating the NFA instead.
 */
final class GlobDfa implements PathMatcher {
    /** State 0 is the dead state: no glob can match from there. */
    private static final int DEAD = 0;

    private final int[] classOf;
    private final int classes;
    private final int[] next;
    private final int[] accept;
    private final int start;

    private GlobDfa(int[] classOf, int classes, int[] next, int[] accept, int start) {
        this.classOf = classOf;
        this.classes = classes;
        this.next = next;
        this.accept = accept;
        this.start = start;
    }

    int states() {
        return accept.length;
    }

    int byteClasses() {
        return classes;
    }

    @Override
    public int match(byte[] path, int from, int to) {
        int s = start;
        final int[] table = next;
        final int[] cls = classOf;
        final int width = classes;
        for (int i = from; i < to; i++) {
            s = table[s * width + cls[path[i] & 0xff]];
            if (s == DEAD) {
                return -1;
            }
        }
        return accept[s];
    }

    /** The automaton, or null when it would need more than {@code maxStates} states. */
    static GlobDfa build(GlobNfa nfa, int maxStates) {
        // Bytes that every edge treats alike share a class; paths use few distinct sets.
        int[] classOf = new int[256];
        int classes = byteClasses(nfa, classOf);
        int[] representative = new int[classes];
        for (int b = 255; b >= 0; b--) {
            representative[classOf[b]] = b;
        }

        Map<Key, Integer> ids = new HashMap<>();
        List<int[]> sets = new ArrayList<>();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        int[] dead = new int[0];
        ids.put(new Key(dead), DEAD);
        sets.add(dead);
        int[] first = closure(nfa, nfa.starts());
        int start = intern(first, ids, sets, work);

        List<int[]> rows = new ArrayList<>();
        rows.add(new int[classes]);
        BitSet seen = new BitSet(nfa.size());
        while (!work.isEmpty()) {
            int id = work.poll();
            int[] set = sets.get(id);
            int[] row = new int[classes];
            for (int c = 0; c < classes; c++) {
                int b = representative[c];
                seen.clear();
                int count = 0;
                int[] moved = new int[8];
                for (int s : set) {
                    for (GlobNfa.Edge e : nfa.edges(s)) {
                        if (e.bytes().contains(b) && !seen.get(e.to())) {
                            seen.set(e.to());
                            if (count == moved.length) {
                                moved = Arrays.copyOf(moved, count * 2);
                            }
                            moved[count++] = e.to();
                        }
                    }
                }
                row[c] = count == 0 ? DEAD : intern(closure(nfa, Arrays.copyOf(moved, count)), ids, sets, work);
                if (sets.size() > maxStates) {
                    return null;
                }
            }
            while (rows.size() <= id) {
                rows.add(null);
            }
            rows.set(id, row);
        }

        int n = sets.size();
        int[] next = new int[n * classes];
        int[] accept = new int[n];
        for (int id = 0; id < n; id++) {
            System.arraycopy(rows.get(id), 0, next, id * classes, classes);
            int best = -1;
            for (int s : sets.get(id)) {
                best = Math.max(best, nfa.accept(s));
            }
            accept[id] = best;
        }
        return new GlobDfa(classOf, classes, next, accept, start);
    }

    private static int intern(int[] set, Map<Key, Integer> ids, List<int[]> sets, ArrayDeque<Integer> work) {
        Key key = new Key(set);
        Integer id = ids.get(key);
        if (id == null) {
            id = sets.size();
            ids.put(key, id);
            sets.add(set);
            work.add(id);
        }
        return id;
    }

    /**
     * The states reachable through epsilon edges, sorted: a canonical name for the
     * set. States of rules that can no longer win are dropped: when some rule is
     * certain to match whatever follows, only later rules can still override it.
     * This keeps trees carved out of trees ({@code allow/read+/usr/***} then
     * {@code deny/read+/usr/lib/secret/***}) from multiplying states.
     */
    static int[] closure(GlobNfa nfa, int[] states) {
        int[] all = epsilonClosure(nfa, states);
        int certain = -1;
        for (int s : all) {
            if (nfa.acceptsAnyRest(s)) {
                certain = Math.max(certain, nfa.owner(s));
            }
        }
        if (certain < 0) {
            return all;
        }
        int keep = 0;
        for (int s : all) {
            if (nfa.owner(s) >= certain) {
                keep++;
            }
        }
        int[] pruned = new int[keep];
        int k = 0;
        for (int s : all) {
            if (nfa.owner(s) >= certain) {
                pruned[k++] = s;
            }
        }
        return pruned;
    }

    private static int[] epsilonClosure(GlobNfa nfa, int[] states) {
        BitSet in = new BitSet(nfa.size());
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        for (int s : states) {
            if (!in.get(s)) {
                in.set(s);
                todo.add(s);
            }
        }
        while (!todo.isEmpty()) {
            for (int t : nfa.epsilons(todo.poll())) {
                if (!in.get(t)) {
                    in.set(t);
                    todo.add(t);
                }
            }
        }
        return in.stream().toArray();
    }

    /** Partitions the 256 byte values by which edge sets hold them; returns the number of classes. */
    private static int byteClasses(GlobNfa nfa, int[] classOf) {
        Map<GlobNfa.ByteSet, Boolean> distinct = new LinkedHashMap<>();
        for (int s = 0; s < nfa.size(); s++) {
            for (GlobNfa.Edge e : nfa.edges(s)) {
                distinct.put(e.bytes(), Boolean.TRUE);
            }
        }
        int classes = 1;
        for (GlobNfa.ByteSet set : distinct.keySet()) {
            Map<Integer, Integer> split = new HashMap<>();
            int[] renamed = new int[256];
            int count = 0;
            for (int b = 0; b < 256; b++) {
                int key = classOf[b] * 2 + (set.contains(b) ? 1 : 0);
                Integer id = split.get(key);
                if (id == null) {
                    id = count++;
                    split.put(key, id);
                }
                renamed[b] = id;
            }
            if (count > 256) {
                throw new IllegalStateException("more byte classes than bytes");
            }
            for (int b = 0; b < 256; b++) {
                classOf[b] = renamed[b];
            }
            classes = count;
        }
        return classes;
    }

    /** An int[] with value equality, for the set-of-states table. */
    private record Key(int[] states) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(states, k.states);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(states);
        }
    }
}
