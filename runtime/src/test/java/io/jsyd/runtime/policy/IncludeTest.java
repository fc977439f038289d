package io.jsyd.runtime.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncludeTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    static List<String> lines(Policy p, Category c) {
        return p.rules(c).stream().map(Rule::line).toList();
    }

    @Test
    void includesResolveRelativeToTheIncludingFile() throws Exception {
        write("base/common.jsyd", "sandbox/read:on\nallow/read+/usr/***\ninclude ../extra/net.jsyd\n");
        write("extra/net.jsyd", "sandbox/net/connect:on\nallow/net/connect+any!443\n");
        Path top = write("top.jsyd", "include base/common.jsyd\ndeny/read+/usr/secret\n");
        Policy p = new PolicyParser().addFile(top).build();
        assertEquals(List.of("allow/read+/usr/***", "deny/read+/usr/secret"), lines(p, Category.READ));
        assertEquals(2, lines(p, Category.NET_CONNECT).size());
        Rule included = p.rules(Category.READ).getFirst();
        assertEquals(new Origin(dir.resolve("base/common.jsyd").toString(), 2), included.origin());
    }

    @Test
    void absoluteIncludeAndTheSameFileTwiceWithoutACycle() throws Exception {
        Path shared = write("shared.jsyd", "allow/read+/etc/hosts\n");
        write("a.jsyd", "include " + shared + "\n");
        Path top = write("top.jsyd", "include a.jsyd\ninclude shared.jsyd\n");
        Policy p = new PolicyParser().addFile(top).build();
        assertEquals(2, lines(p, Category.READ).size());
    }

    @Test
    void cyclesAreFoundAndNamed() throws Exception {
        write("a.jsyd", "allow/read+/a\ninclude b.jsyd\n");
        write("b.jsyd", "include a.jsyd\n");
        PolicyException e = assertThrows(PolicyException.class,
                () -> new PolicyParser().addFile(dir.resolve("a.jsyd")).build());
        assertEquals(1, e.problems().size(), e.lines()::toString);
        String line = e.lines().getFirst();
        Path real = dir.toRealPath();
        assertTrue(line.startsWith(dir.resolve("b.jsyd") + ":1: include cycle: "), line);
        assertTrue(line.endsWith(real.resolve("a.jsyd") + " -> " + real.resolve("b.jsyd") + " -> "
                + real.resolve("a.jsyd")), line);
    }

    @Test
    void aFileIncludingItselfIsACycle() throws Exception {
        Path self = write("self.jsyd", "include self.jsyd\n");
        PolicyException e = assertThrows(PolicyException.class, () -> new PolicyParser().addFile(self).build());
        assertTrue(e.lines().getFirst().contains("include cycle"), e.lines()::toString);
    }

    @Test
    void cycleThroughASymlinkIsStillACycle() throws Exception {
        write("real.jsyd", "include link.jsyd\n");
        Files.createSymbolicLink(dir.resolve("link.jsyd"), dir.resolve("real.jsyd"));
        PolicyException e = assertThrows(PolicyException.class,
                () -> new PolicyParser().addFile(dir.resolve("real.jsyd")).build());
        assertTrue(e.lines().getFirst().contains("include cycle"), e.lines()::toString);
    }

    @Test
    void missingIncludeNamesTheLineThatAskedForIt() throws Exception {
        Path top = write("top.jsyd", "sandbox/read:on\n\ninclude nowhere.jsyd\n");
        PolicyException e = assertThrows(PolicyException.class, () -> new PolicyParser().addFile(top).build());
        assertEquals(top + ":3: cannot read " + dir.resolve("nowhere.jsyd") + ": no such file or directory",
                e.lines().getFirst());
    }

    @Test
    void missingTopFileAndDirectoriesAndBinaryAreProblems() throws Exception {
        PolicyException e = assertThrows(PolicyException.class,
                () -> new PolicyParser().addFile(dir.resolve("absent.jsyd")).build());
        assertTrue(e.lines().getFirst().contains("no such file or directory"), e.lines()::toString);
        Files.createDirectory(dir.resolve("adir"));
        Path top = write("top.jsyd", "include adir\n");
        e = assertThrows(PolicyException.class, () -> new PolicyParser().addFile(top).build());
        assertTrue(e.lines().getFirst().contains("not a regular file"), e.lines()::toString);
        Files.write(dir.resolve("bin.jsyd"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        Path top2 = write("top2.jsyd", "include bin.jsyd\n");
        e = assertThrows(PolicyException.class, () -> new PolicyParser().addFile(top2).build());
        assertTrue(e.lines().getFirst().contains("not UTF-8 text"), e.lines()::toString);
    }

    @Test
    void problemsInsideAnIncludedFileNameThatFile() throws Exception {
        write("inner.jsyd", "# header\nallow/read+relative\n");
        Path top = write("top.jsyd", "include inner.jsyd\n");
        PolicyException e = assertThrows(PolicyException.class, () -> new PolicyParser().addFile(top).build());
        assertTrue(e.lines().getFirst().startsWith(dir.resolve("inner.jsyd") + ":2: expected an absolute path"),
                e.lines()::toString);
    }

    @Test
    void confinedTextMayOnlyIncludeUnderItsRoot() throws Exception {
        Path profiles = Files.createDirectory(dir.resolve("profiles"));
        write("profiles/web.jsyd", "sandbox/net/bind:on\nallow/net/bind+any!80\ninclude sub/more.jsyd\n");
        write("profiles/sub/more.jsyd", "allow/net/bind+any!443\n");
        write("secret.txt", "root:x:0:0\n");
        Files.createSymbolicLink(profiles.resolve("sneaky.jsyd"), dir.resolve("secret.txt"));

        Policy ok = new PolicyParser()
                .add(new PolicyText("annotation", "include web.jsyd", IncludeScope.confinedTo(profiles))).build();
        assertEquals(4, lines(ok, Category.NET_BIND).size());

        for (String target : List.of("../secret.txt", dir.resolve("secret.txt").toString(), "sneaky.jsyd")) {
            PolicyException e = assertThrows(PolicyException.class, () -> new PolicyParser()
                    .add(new PolicyText("annotation", "include " + target, IncludeScope.confinedTo(profiles)))
                    .build());
            String line = e.lines().getFirst();
            assertTrue(line.startsWith("annotation:1: cannot include "), line);
            assertTrue(line.contains("only files under " + profiles.toRealPath()), line);
            assertTrue(!line.contains("root:x"), line);
        }
    }

    @Test
    void confinementCarriesIntoIncludedFiles() throws Exception {
        Path profiles = Files.createDirectory(dir.resolve("profiles"));
        write("outside.jsyd", "allow/read+/x\n");
        write("profiles/a.jsyd", "include ../outside.jsyd\n");
        PolicyException e = assertThrows(PolicyException.class, () -> new PolicyParser()
                .add(new PolicyText("annotation", "include a.jsyd", IncludeScope.confinedTo(profiles))).build());
        assertTrue(e.lines().getFirst().startsWith(profiles.resolve("a.jsyd") + ":1: cannot include"),
                e.lines()::toString);
        // The same file read as an administrator's file may include it.
        Policy p = new PolicyParser().addFile(profiles.resolve("a.jsyd")).build();
        assertEquals(1, lines(p, Category.READ).size());
    }

    @Test
    void lockInAnIncludedFileLocksWhatFollowsIt() throws Exception {
        write("locked.jsyd", "sandbox/exec:on\nlock:on\n");
        Path top = write("top.jsyd", "include locked.jsyd\nsandbox/exec:off\n");
        PolicyException e = assertThrows(PolicyException.class, () -> new PolicyParser().addFile(top).build());
        assertEquals(top + ":2: the policy was locked (lock:on at " + dir.resolve("locked.jsyd")
                + ":2): nothing after it may change the policy", e.lines().getFirst());
        Path includeAfterLock = write("late.jsyd", "lock:on\ninclude locked.jsyd\n");
        e = assertThrows(PolicyException.class, () -> new PolicyParser().addFile(includeAfterLock).build());
        assertTrue(e.lines().getFirst().startsWith(includeAfterLock + ":2: the policy was locked"),
                e.lines()::toString);
    }

    @Test
    void deepNestingIsBounded() throws Exception {
        for (int i = 0; i < 20; i++) {
            write("n" + i + ".jsyd", "include n" + (i + 1) + ".jsyd\n");
        }
        write("n20.jsyd", "allow/read+/x\n");
        PolicyException e = assertThrows(PolicyException.class,
                () -> new PolicyParser().addFile(dir.resolve("n0.jsyd")).build());
        assertTrue(e.lines().getFirst().contains("includes nest deeper than " + PolicyParser.MAX_INCLUDE_DEPTH),
                e.lines()::toString);
    }
}
