package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up work per command is only what the command needs: runs the real entry
 * point in a fresh JVM and lists the classes it loaded.
 */
class StartupClassesTest {
    private static final String JNA = "com.sun.jna.";
    private static final String JACKSON = "tools.jackson.";
    private static final String VALIDATOR = "com.networknt.";

    @TempDir
    Path cwd;

    private List<String> loadedClasses(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-Xlog:class+load=info:stdout:tags", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Optional<Tools.Output> out = Tools.run(cwd, command.toArray(String[]::new));
        List<String> classes = new ArrayList<>();
        for (String line : out.orElseThrow().out().lines().toList()) {
            if (line.startsWith("[class,load]")) {
                classes.add(line.substring("[class,load]".length()).strip().split(" ")[0]);
            }
        }
        assertTrue(classes.contains(Main.class.getName()), "the JVM did not run Main: " + out.get().out());
        return classes;
    }

    /** {@code features} asks libseccomp and the kernel what seccomp can do, which takes JNA. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--version|false|false",
        "state c1|false|false",
        "--root /run/x --log log.json --log-format json delete --force c1|false|false",
        "list --bogus|false|false",
        "spec|true|false",
        "features|true|true"})
    void loadsNoValidatorAndJacksonAndJnaOnlyWhenNeeded(String args, boolean needsJackson, boolean needsJna)
            throws Exception {
        List<String> classes = loadedClasses(args.split(" "));
        assertEquals(List.of(), classes.stream().filter(c -> c.startsWith(VALIDATOR)).toList());
        if (!needsJna) {
            assertEquals(List.of(), classes.stream().filter(c -> c.startsWith(JNA)).toList());
        }
        assertEquals(needsJackson, classes.stream().anyMatch(c -> c.startsWith(JACKSON)), args);
        if (args.equals("spec")) {
            assertTrue(Files.exists(cwd.resolve("config.json")));
        }
    }
}
