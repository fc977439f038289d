package io.jsyd.runtime.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GlobMatchTest {
    /** Whether one glob, alone in a policy, matches the path. */
    static boolean matches(String glob, String path) {
        return matches(glob, path.getBytes(StandardCharsets.UTF_8));
    }

    static boolean matches(String glob, byte[] path) {
        PolicyMatcher m = matcher("sandbox/read:on\nallow/read+" + glob);
        return m.decidePath(Category.READ, path).action() == Action.ALLOW;
    }

    static PolicyMatcher matcher(String text) {
        try {
            return PolicyParser.parse("t", text).compile();
        } catch (PolicyException e) {
            throw new AssertionError(e.lines().toString(), e);
        }
    }

    static void yes(String glob, String... paths) {
        for (String p : paths) {
            assertTrue(matches(glob, p), glob + " should match " + p);
        }
    }

    static void no(String glob, String... paths) {
        for (String p : paths) {
            assertFalse(matches(glob, p), glob + " should not match " + p);
        }
    }

    @Test
    void literalMatchesOnlyItself() {
        yes("/etc/passwd", "/etc/passwd");
        no("/etc/passwd", "/etc/passwd2", "/etc/passw", "/etc", "/etc/passwd/x", "/", "/ETC/passwd");
        yes("/", "/");
        no("/", "/etc");
    }

    @Test
    void starStaysInOneComponent() {
        yes("/etc/*", "/etc/passwd", "/etc/.hidden", "/etc/a b");
        no("/etc/*", "/etc", "/etc/ssl/certs", "/etcx/a");
        yes("/etc/*.conf", "/etc/a.conf", "/etc/.conf");
        no("/etc/*.conf", "/etc/a.conf.bak", "/etc/x/a.conf");
        yes("/home/*/.ssh/*", "/home/alice/.ssh/id_rsa");
        no("/home/*/.ssh/*", "/home/.ssh/id_rsa", "/home/a/b/.ssh/id_rsa");
        yes("/a*b*c", "/abc", "/aXXbYYc", "/abbbc");
        no("/a*b*c", "/ab/c", "/acb");
    }

    @Test
    void doubleStarCrossesSlashes() {
        yes("/usr/**", "/usr/bin", "/usr/lib/x86_64-linux-gnu/libc.so.6");
        no("/usr/**", "/usr", "/usrx", "/us");
        yes("/usr/**.so", "/usr/lib/a.so", "/usr/x.so");
        no("/usr/**.so", "/usr/lib/a.so.6");
        yes("/**", "/", "/a", "/a/b/c");
    }

    @Test
    void doubleStarComponentAlsoMatchesZeroDirectories() {
        yes("/home/**/.ssh", "/home/.ssh", "/home/alice/.ssh", "/home/a/b/c/.ssh");
        no("/home/**/.ssh", "/home/alice/.sshx", "/homex/.ssh");
        yes("/a/**/b/**/c", "/a/b/c", "/a/x/b/y/z/c");
        // Only a whole "**" component skips: "x**/" has to keep its slash.
        no("/a/x**/b", "/a/b");
        yes("/a/x**/b", "/a/x/b", "/a/xy/z/b");
    }

    @Test
    void tripleStarIsTheDirectoryAndEverythingBelow() {
        yes("/usr/***", "/usr", "/usr/bin", "/usr/lib/x/y.so");
        no("/usr/***", "/usrx", "/usr2/bin", "/us", "/");
        yes("/***", "/", "/etc", "/etc/passwd");
        yes("/home/*/***", "/home/alice", "/home/alice/.bashrc");
        no("/home/*/***", "/home");
        yes("/srv/data*/***", "/srv/data", "/srv/data1/x", "/srv/data.old");
        // The difference to "**": the directory itself.
        no("/usr/**", "/usr");
    }

    @Test
    void questionMarkIsOneCharacterNotSlash() {
        yes("/tmp/?", "/tmp/a", "/tmp/-");
        no("/tmp/?", "/tmp/ab", "/tmp", "/tmp/");
        no("/a?b", "/a/b");
        // A multi-byte UTF-8 character is one character.
        yes("/caf?", "/café");
        yes("/?", "/€", "/😀");
        no("/??", "/é");
        // A byte that is no UTF-8 (a file name is any bytes but NUL and '/') still counts as one.
        assertTrue(matches("/x?", new byte[] {'/', 'x', (byte) 0xff}));
        assertTrue(matches("/x?", new byte[] {'/', 'x', (byte) 0x80}));
    }

    @Test
    void bracketExpressions() {
        yes("/dev/tty[0-9]", "/dev/tty0", "/dev/tty9");
        no("/dev/tty[0-9]", "/dev/ttyS", "/dev/tty10");
        yes("/x/[!.]*", "/x/a", "/x/abc");
        no("/x/[!.]*", "/x/.hidden");
        yes("/x/[^.]*", "/x/a");
        no("/x/[^.]*", "/x/.a");
        yes("/x/[]a]", "/x/]", "/x/a");
        yes("/x/[a-]", "/x/-", "/x/a");
        yes("/x/[!a]", "/x/é");
        no("/x[!a]y", "/x/y");
        no("/x[/]y", "/x/y");
    }

    @Test
    void backslashEscapes() {
        yes("/a\\*b", "/a*b");
        no("/a\\*b", "/aXb");
        yes("/a\\?", "/a?");
        no("/a\\?", "/ab");
        yes("/a\\[b]", "/a[b]");
        yes("/a\\\\b", "/a\\b");
    }

    @Test
    void nonAsciiLiterals() {
        yes("/données/*", "/données/x");
        no("/données/*", "/donnees/x");
    }

    @Test
    void inputPathsAreTidiedButDotDotIsRefused() {
        PolicyMatcher m = matcher("sandbox/read:on\nallow/read+/etc/passwd\nallow/read+/\ndeny/read+/etc");
        assertEquals(Action.ALLOW, m.decidePath(Category.READ, "/etc//passwd").action());
        assertEquals(Action.ALLOW, m.decidePath(Category.READ, "/etc/./passwd").action());
        assertEquals(Action.ALLOW, m.decidePath(Category.READ, "//etc/passwd/").action());
        assertEquals(Action.ALLOW, m.decidePath(Category.READ, "/./").action());
        assertEquals(Action.DENY, m.decidePath(Category.READ, "/etc/").action());
        assertEquals(Action.DENY, m.decidePath(Category.READ, "/etc/.").action());
        // A dot that starts a name is part of the name, not a component to tidy away.
        assertEquals(Action.DENY, m.decidePath(Category.READ, "/etc/.passwd").action());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.decidePath(Category.READ, "/tmp/../etc/passwd"));
        assertTrue(e.getMessage().contains("'..'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.decidePath(Category.READ, "/etc/passwd/.."));
        assertThrows(IllegalArgumentException.class, () -> m.decidePath(Category.READ, "/.."));
        assertThrows(IllegalArgumentException.class, () -> m.decidePath(Category.READ, "etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> m.decidePath(Category.READ, ""));
        assertThrows(IllegalArgumentException.class, () -> m.decidePath(Category.READ, "/a\0b"));
        // Names that merely start with dots are names.
        PolicyMatcher dots = matcher("sandbox/read:on\nallow/read+/x/..y\nallow/read+/x/...");
        assertEquals(Action.ALLOW, dots.decidePath(Category.READ, "/x/..y").action());
        assertEquals(Action.ALLOW, dots.decidePath(Category.READ, "/x/...").action());
    }

    @Test
    void lastMatchingRuleWins() {
        PolicyMatcher m = matcher("""
                sandbox/read:on
                allow/read+/home/***
                deny/read+/home/*/.ssh/***
                warn/read+/home/alice/.ssh/known_hosts
                """);
        assertEquals(Action.ALLOW, m.decidePath(Category.READ, "/home/alice/notes").action());
        assertEquals(Action.DENY, m.decidePath(Category.READ, "/home/alice/.ssh/id_rsa").action());
        Decision d = m.decidePath(Category.READ, "/home/alice/.ssh/known_hosts");
        assertEquals(Action.WARN, d.action());
        assertEquals(4, d.rule().orElseThrow().origin().line());
        // Order, not specificity: a broad rule written last beats a narrow one before it.
        PolicyMatcher broadLast = matcher("sandbox/read:on\ndeny/read+/etc/shadow\nallow/read+/etc/***");
        assertEquals(Action.ALLOW, broadLast.decidePath(Category.READ, "/etc/shadow").action());
    }

    @Test
    void defaultsAndCategoriesThatAreOff() {
        PolicyMatcher m = matcher("sandbox/read:on\ndefault/read:filter\nallow/read+/ok\ndeny/write+/x/***");
        Decision d = m.decidePath(Category.READ, "/nope");
        assertEquals(Action.FILTER, d.action());
        assertTrue(d.rule().isEmpty());
        assertEquals(Action.ALLOW, m.decidePath(Category.READ, "/ok").action());
        // write is off: its rules exist but nothing is confined.
        Decision w = m.decidePath(Category.WRITE, "/x/y");
        assertEquals(Action.ALLOW, w.action());
        assertTrue(w.rule().isEmpty());
        assertEquals(Action.DENY, matcher("sandbox/exec:on").decidePath(Category.EXEC, "/bin/sh").action());
    }

    @Test
    void decisionsAreMadeOnceAndShared() {
        PolicyMatcher m = matcher("sandbox/read:on\nallow/read+/a/*");
        assertTrue(m.decidePath(Category.READ, "/a/x") == m.decidePath(Category.READ, "/a/y"));
        assertTrue(m.decidePath(Category.READ, "/b") == m.decidePath(Category.READ, "/c"));
    }

    @Test
    void wrongKindOfQueryIsRefused() {
        PolicyMatcher m = matcher("sandbox/read,net:on");
        assertThrows(IllegalArgumentException.class, () -> m.decidePath(Category.NET_BIND, "/x"));
        assertThrows(IllegalArgumentException.class, () -> m.decideSocket(Category.READ, "/x"));
        assertThrows(IllegalArgumentException.class,
                () -> m.decideAddress(Category.NET_SENDFD, new byte[4], 1));
    }

    // ---- the automaton against an independent definition ----

    /** The glob semantics written as a java.util.regex, as a reference for tests only. */
    static java.util.regex.Pattern reference(String glob) {
        StringBuilder re = new StringBuilder();
        boolean subtree = glob.endsWith("/***");
        String body = subtree ? glob.substring(0, glob.length() - 4) : glob;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '*' && i + 1 < body.length() && body.charAt(i + 1) == '*') {
                boolean component = i > 0 && body.charAt(i - 1) == '/' && i + 2 < body.length()
                        && body.charAt(i + 2) == '/';
                if (component) {
                    // "/**/" : the slash before is already in re; "**/" is "(anything/)?".
                    re.append("(?:.*/)?");
                    i += 2;
                } else {
                    re.append(".*");
                    i++;
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int close = body.indexOf(']', i + 2);
                String set = body.substring(i + 1, close);
                boolean neg = set.startsWith("!");
                re.append(neg ? "[^/" + set.substring(1) + "]" : "(?!/)[" + set + "]");
                i = close;
            } else {
                re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        if (subtree) {
            re.append("(?:/.*)?");
        }
        return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.DOTALL);
    }

    static String randomGlob(Random r) {
        String[] pieces = {"a", "b", "ab", "*", "**", "?", "[ab]", "[!a]", "a*", "*b", "**a"};
        StringBuilder sb = new StringBuilder();
        int components = 1 + r.nextInt(4);
        for (int c = 0; c < components; c++) {
            sb.append('/');
            int n = 1 + r.nextInt(2);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[r.nextInt(pieces.length)]);
            }
        }
        if (r.nextInt(4) == 0) {
            sb.append("/***");
        }
        return sb.toString().replaceAll("\\*{3,}", "**");
    }

    static String randomPath(Random r) {
        StringBuilder sb = new StringBuilder();
        int components = r.nextInt(6);
        for (int c = 0; c < components; c++) {
            sb.append('/');
            int n = 1 + r.nextInt(3);
            for (int k = 0; k < n; k++) {
                sb.append("abc".charAt(r.nextInt(3)));
            }
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    @Test
    void automatonAgreesWithTheReferenceOnRandomGlobs() {
        Random r = new Random(20240611);
        int checked = 0;
        for (int g = 0; g < 400; g++) {
            String glob = randomGlob(r);
            PathGlob parsed;
            try {
                parsed = PathGlob.ofPath(glob);
            } catch (IllegalArgumentException e) {
                continue;
            }
            java.util.regex.Pattern ref = reference(glob);
            PathMatcher dfa = PathMatcher.compile(List.of(parsed), new int[] {0}, PolicyMatcher.MAX_DFA_STATES);
            PathMatcher nfa = PathMatcher.compile(List.of(parsed), new int[] {0}, 0);
            assertInstanceOf(GlobDfa.class, dfa);
            assertInstanceOf(NfaSimulation.class, nfa);
            for (int p = 0; p < 60; p++) {
                String path = randomPath(r);
                byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
                boolean expected = ref.matcher(path).matches();
                assertEquals(expected, dfa.match(bytes, 0, bytes.length) == 0, () -> glob + " on " + path);
                assertEquals(expected, nfa.match(bytes, 0, bytes.length) == 0, () -> glob + " (nfa) on " + path);
                checked++;
            }
        }
        assertTrue(checked > 10_000, "too few valid random globs: " + checked);
    }

    @Test
    void manyRulesLastMatchAgreesWithALinearScan() {
        Random r = new Random(7);
        List<PathGlob> globs = new ArrayList<>();
        List<java.util.regex.Pattern> refs = new ArrayList<>();
        while (globs.size() < 60) {
            String glob = randomGlob(r);
            try {
                globs.add(PathGlob.ofPath(glob));
                refs.add(reference(glob));
            } catch (IllegalArgumentException e) {
                // not a valid glob; draw another
            }
        }
        int[] ids = IntStream.range(0, globs.size()).toArray();
        PathMatcher dfa = PathMatcher.compile(globs, ids, PolicyMatcher.MAX_DFA_STATES);
        PathMatcher nfa = PathMatcher.compile(globs, ids, 0);
        assertNotNull(dfa);
        for (int p = 0; p < 5000; p++) {
            String path = randomPath(r);
            byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
            int expected = -1;
            for (int i = refs.size() - 1; i >= 0; i--) {
                if (refs.get(i).matcher(path).matches()) {
                    expected = i;
                    break;
                }
            }
            int want = expected;
            assertEquals(want, dfa.match(bytes, 0, bytes.length), () -> path);
            assertEquals(want, nfa.match(bytes, 0, bytes.length), () -> path);
        }
    }

    @Test
    void treesCarvedOutOfTreesStayASmallAutomaton() {
        List<PathGlob> globs = new ArrayList<>();
        StringBuilder dir = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            dir.append("/d").append(i % 10);
            globs.add(PathGlob.ofPath(dir + "/***"));
        }
        PathMatcher m = PathMatcher.compile(globs, IntStream.range(0, 100).toArray(), PolicyMatcher.MAX_DFA_STATES);
        GlobDfa dfa = assertInstanceOf(GlobDfa.class, m);
        assertTrue(dfa.states() < 1000, "states: " + dfa.states());
        byte[] deep = (dir + "/file").getBytes(StandardCharsets.UTF_8);
        assertEquals(99, dfa.match(deep, 0, deep.length));
        byte[] mid = "/d0/d1/d2/x".getBytes(StandardCharsets.UTF_8);
        assertEquals(2, dfa.match(mid, 0, mid.length));
    }

    @Test
    void tooLargeAnAutomatonFallsBackToTheNfaAndStillDecides() {
        PolicyParser parser = new PolicyParser();
        StringBuilder text = new StringBuilder("sandbox/read:on\n");
        for (int i = 0; i < 12; i++) {
            text.append("allow/read+/**/a*").append("?".repeat(i)).append("/**\n");
        }
        Policy p;
        try {
            p = parser.add(new PolicyText("t", text.toString(), IncludeScope.forbidden())).build();
        } catch (PolicyException e) {
            throw new AssertionError(e);
        }
        PolicyMatcher small = PolicyMatcher.of(p, 10);
        PolicyMatcher big = PolicyMatcher.of(p, PolicyMatcher.MAX_DFA_STATES);
        for (String path : List.of("/x/abcd/y", "/a/y", "/b/c", "/x/y/aaaaaaaaaaaaaaa/z", "/a")) {
            assertEquals(big.decidePath(Category.READ, path), small.decidePath(Category.READ, path), path);
        }
    }
}
