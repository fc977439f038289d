package io.jsyd.oci.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts the build wrote into the jar (resource filtering): the project version. */
public final class BuildInfo {
    private static final String RESOURCE = "build.properties";

    private BuildInfo() {
    }

    /** The project version, e.g. 0.1.0 (read on each call: it is one small resource). */
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("build resource " + RESOURCE + " is missing: not a built jar?");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = p.getProperty("version", "");
        if (version.isEmpty() || version.contains("${")) {
            throw new IllegalStateException("build resource " + RESOURCE + " was not filtered: " + version);
        }
        return version;
    }
}
