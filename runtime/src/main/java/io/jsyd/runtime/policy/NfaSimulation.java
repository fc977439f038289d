package io.jsyd.runtime.policy;

import java.util.List;

/**
 * The fallback when a category's globs would make too large a DFA: walks the NFA
 * with a set of current states. Linear in path length times automaton size, and
 * allocates its state sets per call (the automaton itself is shared and immutable).
 */
final class NfaSimulation implements PathMatcher {
    private final int size;
    private final int[] starts;
    /** Per state: edges as (set, target) pairs, flattened for the walk. */
    private final GlobNfa.ByteSet[][] sets;
    private final int[][] targets;
    private final int[][] epsilons;
    private final int[] accept;

    NfaSimulation(GlobNfa nfa) {
        size = nfa.size();
        starts = GlobDfa.closure(nfa, nfa.starts());
        sets = new GlobNfa.ByteSet[size][];
        targets = new int[size][];
        epsilons = new int[size][];
        accept = new int[size];
        for (int s = 0; s < size; s++) {
            List<GlobNfa.Edge> edges = nfa.edges(s);
            sets[s] = edges.stream().map(GlobNfa.Edge::bytes).toArray(GlobNfa.ByteSet[]::new);
            targets[s] = edges.stream().mapToInt(GlobNfa.Edge::to).toArray();
            epsilons[s] = nfa.epsilons(s).clone();
            accept[s] = nfa.accept(s);
        }
    }

    @Override
    public int match(byte[] path, int from, int to) {
        int[] current = new int[size];
        int[] following = new int[size];
        // mark[s] == generation means s is already in the set being built.
        int[] mark = new int[size];
        int generation = 1;
        int count = starts.length;
        System.arraycopy(starts, 0, current, 0, count);
        for (int i = from; i < to && count > 0; i++) {
            int b = path[i] & 0xff;
            generation++;
            int n = 0;
            for (int k = 0; k < count; k++) {
                int s = current[k];
                GlobNfa.ByteSet[] edgeSets = sets[s];
                for (int e = 0; e < edgeSets.length; e++) {
                    if (edgeSets[e].contains(b)) {
                        n = add(targets[s][e], following, n, mark, generation);
                    }
                }
            }
            int[] swap = current;
            current = following;
            following = swap;
            count = n;
        }
        int best = -1;
        for (int k = 0; k < count; k++) {
            best = Math.max(best, accept[current[k]]);
        }
        return best;
    }

    /** Adds a state and its epsilon closure to the set; returns the new size. */
    private int add(int state, int[] set, int n, int[] mark, int generation) {
        if (mark[state] == generation) {
            return n;
        }
        mark[state] = generation;
        set[n++] = state;
        for (int t : epsilons[state]) {
            n = add(t, set, n, mark, generation);
        }
        return n;
    }
}
