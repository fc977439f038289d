package io.jsyd.runtime.policy;

/** Finds the last rule whose glob matches a path. Implementations are immutable and thread-safe. */
sealed interface PathMatcher permits GlobDfa, NfaSimulation, PathMatcher.None {
    /** The index of the highest-numbered matching rule, or -1 when none matches. */
    int match(byte[] path, int from, int to);

    /** A category without globs. */
    record None() implements PathMatcher {
        @Override
        public int match(byte[] path, int from, int to) {
            return -1;
        }
    }

    /**
     * The tables for these globs, glob i deciding for rule {@code rules[i]}; the NFA
     * itself when the tables would need more than {@code maxStates} states.
     */
    static PathMatcher compile(java.util.List<PathGlob> globs, int[] rules, int maxStates) {
        if (globs.isEmpty()) {
            return new None();
        }
        GlobNfa nfa = new GlobNfa();
        for (int i = 0; i < globs.size(); i++) {
            nfa.add(globs.get(i), rules[i]);
        }
        GlobDfa dfa = GlobDfa.build(nfa, maxStates);
        return dfa != null ? dfa : new NfaSimulation(nfa);
    }
}
