package io.jsyd.runtime.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The globs of one category as a single nondeterministic automaton over bytes,
 * each accepting state tagged with the index of its rule. Only built while a
 * policy compiles: {@link GlobDfa} turns it into the tables the matcher walks.
 */
final class GlobNfa {
    /** A set of bytes as four 64-bit words. */
    record ByteSet(long w0, long w1, long w2, long w3) {
        static final ByteSet ALL = new ByteSet(-1L, -1L, -1L, -1L);
        static final ByteSet NOT_SLASH = ALL.minus('/');

        static ByteSet range(int from, int to) {
            long[] w = new long[4];
            for (int b = from; b <= to; b++) {
                w[b >>> 6] |= 1L << (b & 63);
            }
            return new ByteSet(w[0], w[1], w[2], w[3]);
        }

        static ByteSet of(int b) {
            return range(b, b);
        }

        boolean contains(int b) {
            long w = switch (b >>> 6) {
                case 0 -> w0;
                case 1 -> w1;
                case 2 -> w2;
                default -> w3;
            };
            return (w >>> (b & 63) & 1) != 0;
        }

        ByteSet minus(int b) {
            long bit = 1L << (b & 63);
            return switch (b >>> 6) {
                case 0 -> new ByteSet(w0 & ~bit, w1, w2, w3);
                case 1 -> new ByteSet(w0, w1 & ~bit, w2, w3);
                case 2 -> new ByteSet(w0, w1, w2 & ~bit, w3);
                default -> new ByteSet(w0, w1, w2, w3 & ~bit);
            };
        }

        boolean isEmpty() {
            return (w0 | w1 | w2 | w3) == 0;
        }
    }

    record Edge(ByteSet bytes, int to) {
    }

    private final List<List<Edge>> edges = new ArrayList<>();
    private final List<int[]> epsilons = new ArrayList<>();
    private int[] accept = new int[16];
    /** The rule each state belongs to. */
    private int[] owner = new int[16];
    private int currentRule = -1;
    private final List<Integer> starts = new ArrayList<>();

    int size() {
        return edges.size();
    }

    List<Edge> edges(int state) {
        return edges.get(state);
    }

    int[] epsilons(int state) {
        return epsilons.get(state);
    }

    /** The rule a state accepts for, or -1. */
    int accept(int state) {
        return accept[state];
    }

    int[] starts() {
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The rule a state belongs to. */
    int owner(int state) {
        return owner[state];
    }

    /**
     * Whether a state accepts whatever follows: it accepts and loops on every byte
     * (the inside of {@code /***}, a trailing {@code **}). Once a rule is in such a
     * state it is going to match, so no earlier rule can win any more.
     */
    boolean acceptsAnyRest(int state) {
        if (accept[state] < 0) {
            return false;
        }
        for (Edge e : edges.get(state)) {
            if (e.to() == state && e.bytes().equals(ByteSet.ALL)) {
                return true;
            }
        }
        return false;
    }

    private int newState() {
        edges.add(new ArrayList<>());
        epsilons.add(new int[0]);
        int id = edges.size() - 1;
        if (id == accept.length) {
            accept = Arrays.copyOf(accept, id * 2);
            owner = Arrays.copyOf(owner, id * 2);
        }
        accept[id] = -1;
        owner[id] = currentRule;
        return id;
    }

    private void edge(int from, ByteSet bytes, int to) {
        edges.get(from).add(new Edge(bytes, to));
    }

    private void epsilon(int from, int to) {
        int[] old = epsilons.get(from);
        int[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = to;
        epsilons.set(from, grown);
    }

    /** Adds one glob whose matches belong to rule {@code rule}. */
    void add(PathGlob glob, int rule) {
        GlobSyntax.Parsed parsed = GlobSyntax.parse(glob.text());
        List<GlobSyntax.Token> tokens = parsed.tokens();
        currentRule = rule;
        int start = newState();
        starts.add(start);
        int cur = start;
        int skipFrom = -1;
        for (int k = 0; k < tokens.size(); k++) {
            GlobSyntax.Token token = tokens.get(k);
            switch (token) {
                case GlobSyntax.Literal l -> {
                    for (byte b : l.bytes()) {
                        int next = newState();
                        edge(cur, ByteSet.of(b & 0xff), next);
                        cur = next;
                    }
                    if (skipFrom >= 0) {
                        // "/**/" may also match a single "/": zero directories, as in git.
                        epsilon(skipFrom, cur);
                        skipFrom = -1;
                    }
                }
                case GlobSyntax.OneChar c -> cur = oneChar(cur, c);
                case GlobSyntax.Star s -> edge(cur, ByteSet.NOT_SLASH, cur);
                case GlobSyntax.DoubleStar d -> {
                    if (k > 0 && isSlash(tokens.get(k - 1)) && k + 1 < tokens.size() && isSlash(tokens.get(k + 1))) {
                        // The loop gets a state of its own: the skip must leave from before
                        // it, or "/**/" could also match "/x" without its second slash.
                        int loop = newState();
                        epsilon(cur, loop);
                        skipFrom = cur;
                        cur = loop;
                    }
                    edge(cur, ByteSet.ALL, cur);
                }
            }
        }
        accept[cur] = rule;
        if (parsed.subtree()) {
            // P/***: P itself (accepted above), or P followed by "/" and anything at all.
            int below = newState();
            edge(cur, ByteSet.of('/'), below);
            edge(below, ByteSet.ALL, below);
            accept[below] = rule;
        }
    }

    private static boolean isSlash(GlobSyntax.Token token) {
        return token instanceof GlobSyntax.Literal l && l.bytes().length == 1 && l.bytes()[0] == '/';
    }

    /**
     * One character other than '/': an ASCII byte, or a whole UTF-8 sequence (lead
     * byte and its continuation bytes) when the class is negated. A byte that can
     * start no sequence counts as a character of its own, so '?' never gets stuck
     * on a name that is not valid UTF-8.
     */
    private int oneChar(int from, GlobSyntax.OneChar c) {
        int end = newState();
        long[] ascii = new long[2];
        for (int b = 0; b < 128; b++) {
            if (b != '/' && c.contains(b) != c.negated()) {
                ascii[b >>> 6] |= 1L << (b & 63);
            }
        }
        ByteSet asciiSet = new ByteSet(ascii[0], ascii[1], 0, 0);
        if (!asciiSet.isEmpty()) {
            edge(from, asciiSet, end);
        }
        if (c.negated()) {
            ByteSet continuation = ByteSet.range(0x80, 0xbf);
            int need1 = newState();
            int need2 = newState();
            int need3 = newState();
            edge(need1, continuation, end);
            edge(need2, continuation, need1);
            edge(need3, continuation, need2);
            edge(from, ByteSet.range(0xc0, 0xdf), need1);
            edge(from, ByteSet.range(0xe0, 0xef), need2);
            edge(from, ByteSet.range(0xf0, 0xf7), need3);
            edge(from, ByteSet.range(0x80, 0xbf), end);
            edge(from, ByteSet.range(0xf8, 0xff), end);
        }
        return end;
    }
}
