package io.jsyd.runtime.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns glob text into tokens, and refuses what could never match a resolved path.
 * Parsed again when a policy is compiled; the text is the only thing a
 * {@link PathGlob} keeps, so its equality stays the text's.
 */
final class GlobSyntax {
    private GlobSyntax() {
    }

    sealed interface Token permits Literal, OneChar, Star, DoubleStar {
    }

    /** The UTF-8 bytes of one character. */
    record Literal(byte[] bytes) implements Token {
    }

    /**
     * One character (a UTF-8 sequence) other than {@code /}: in the ASCII set, or,
     * when negated, not in it ({@code ?} is the negated empty set).
     */
    record OneChar(boolean negated, long low, long high) implements Token {
        boolean contains(int ascii) {
            return ascii < 64 ? (low >>> ascii & 1) != 0 : (high >>> (ascii - 64) & 1) != 0;
        }
    }

    record Star() implements Token {
    }

    record DoubleStar() implements Token {
    }

    /** The tokens, and whether a {@code /***} suffix followed them. */
    record Parsed(List<Token> tokens, boolean subtree) {
    }

    static Parsed parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("expected a pattern, got nothing");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a pattern cannot contain a NUL character");
        }
        boolean paths = text.charAt(0) == '/';
        List<Token> tokens = new ArrayList<>();
        StringBuilder component = new StringBuilder();
        boolean componentWild = false;
        boolean subtree = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '*') {
                int run = 0;
                while (i + run < n && text.charAt(i + run) == '*') {
                    run++;
                }
                if (run == 1) {
                    tokens.add(new Star());
                } else if (run == 2) {
                    tokens.add(new DoubleStar());
                } else if (run == 3 && paths && i > 0 && text.charAt(i - 1) == '/' && component.isEmpty()
                        && !componentWild && i + 3 == n) {
                    // The '/' before *** belongs to the construct: P/*** is "P, or P/ and anything".
                    tokens.removeLast();
                    subtree = true;
                } else {
                    throw new IllegalArgumentException(run == 3
                            ? "'***' stands only as the whole last component, as in /usr/***"
                            : "expected at most three '*' in a row, got " + run);
                }
                componentWild = true;
                i += run;
            } else if (c == '?') {
                tokens.add(new OneChar(true, 0, 0));
                componentWild = true;
                i++;
            } else if (c == '[') {
                i = charClass(text, i, tokens);
                componentWild = true;
            } else {
                if (c == '\\') {
                    if (i + 1 == n) {
                        throw new IllegalArgumentException("a trailing '\\' escapes nothing");
                    }
                    i++;
                }
                int cp = text.codePointAt(i);
                i += Character.charCount(cp);
                if (cp == '/' && paths) {
                    endComponent(component, componentWild, tokens.isEmpty());
                    component.setLength(0);
                    componentWild = false;
                } else {
                    component.appendCodePoint(cp);
                }
                tokens.add(new Literal(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (paths && !componentWild) {
            if (component.isEmpty() && n > 1) {
                throw new IllegalArgumentException("a trailing '/' never matches (paths are matched without one): write "
                        + shorten(text.substring(0, n - 1)) + " for the directory, or "
                        + shorten(text) + "*** for it and everything below");
            }
            checkDots(component);
        }
        return new Parsed(List.copyOf(tokens), subtree);
    }

    /** Checks the component that a '/' ends. */
    private static void endComponent(StringBuilder component, boolean wild, boolean first) {
        if (first) {
            return;
        }
        if (component.isEmpty() && !wild) {
            throw new IllegalArgumentException("an empty component ('//') never matches a resolved path");
        }
        if (!wild) {
            checkDots(component);
        }
    }

    private static void checkDots(StringBuilder component) {
        String s = component.toString();
        if (s.equals(".") || s.equals("..")) {
            throw new IllegalArgumentException("a '" + s
                    + "' component never matches: paths are resolved before they are matched");
        }
    }

    /** Parses a bracket expression that starts at {@code open}; returns the index after it. */
    private static int charClass(String text, int open, List<Token> tokens) {
        int i = open + 1;
        int n = text.length();
        boolean negated = i < n && (text.charAt(i) == '!' || text.charAt(i) == '^');
        if (negated) {
            i++;
        }
        long low = 0;
        long high = 0;
        boolean first = true;
        while (true) {
            if (i >= n) {
                throw new IllegalArgumentException("'[' at " + (open + 1) + " is not closed by ']'");
            }
            char c = text.charAt(i);
            if (c == ']' && !first) {
                i++;
                break;
            }
            first = false;
            if (c == '\\') {
                if (++i >= n) {
                    throw new IllegalArgumentException("'[' at " + (open + 1) + " is not closed by ']'");
                }
                c = text.charAt(i);
            }
            i++;
            char to = c;
            if (i + 1 < n && text.charAt(i) == '-' && text.charAt(i + 1) != ']') {
                to = text.charAt(i + 1);
                if (to == '\\' && i + 2 < n) {
                    to = text.charAt(i + 2);
                    i++;
                }
                i += 2;
                if (to < c) {
                    throw new IllegalArgumentException("range " + c + "-" + to + " in '[...]' runs backwards");
                }
            }
            if (to >= 128) {
                throw new IllegalArgumentException("'[...]' takes ASCII characters only, got '" + to + "'");
            }
            for (int b = c; b <= to; b++) {
                if (b < 64) {
                    low |= 1L << b;
                } else {
                    high |= 1L << (b - 64);
                }
            }
        }
        tokens.add(new OneChar(negated, low, high));
        return i;
    }

    /** Keeps quoted user text short enough for a one-line message. */
    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
