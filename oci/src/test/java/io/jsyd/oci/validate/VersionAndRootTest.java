package io.jsyd.oci.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VersionAndRootTest {
    @TempDir
    Path dir;
    TestBundle bundle;

    @BeforeEach
    void setUp() {
        bundle = new TestBundle(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0.0", "1.0.2-dev", "1.0.0-rc5-dev", "1.2.1", "1.3.0", "1.3.7", "1.3.0+build.5"})
    void supportedVersionsPass(String version) {
        bundle.assertClean("{\"ociVersion\": \"" + version + "\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "v1.0.0", "01.0.0", "1.0.0-", "", "garbage"})
    void aVersionMustBeSemVer(String version) {
        bundle.assertErrors("{\"ociVersion\": \"" + version + "\"}",
                "$.ociVersion: \"" + version + "\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. 1.3.0)");
    }

    @Test
    void anotherMajorVersionIsAnError() {
        bundle.assertErrors("{\"ociVersion\": \"0.9.0\"}",
                "$.ociVersion: \"0.9.0\" has major version 0; jsyd-oci implements runtime-spec 1.x"
                        + " and major versions are not compatible");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.4.0", "1.10.0", "1.4.0-rc.1"})
    void aNewerMinorVersionIsAWarning(String version) {
        bundle.assertWarnings("{\"ociVersion\": \"" + version + "\"}",
                "$.ociVersion: \"" + version + "\" is newer than runtime-spec 1.3.0, the newest jsyd-oci implements;"
                        + " fields added since are ignored");
    }

    @Test
    void rootIsRequired() {
        bundle.assertErrors("{\"root\": null}", "$.root: is missing: a Linux container needs a root filesystem");
    }

    @Test
    void rootPathMustNotBeEmpty() {
        bundle.assertErrors("{\"root\": {\"path\": \"\"}}",
                "$.root.path: is empty: it must name the root filesystem directory");
    }

    /** The "relative root.path" case: relative is allowed, but it must exist. */
    @Test
    void aRelativeRootPathThatDoesNotExistIsReportedWithWhereItLeads() {
        bundle.assertErrors("{\"root\": {\"path\": \"../elsewhere/rootfs\"}}",
                "$.root.path: \"../elsewhere/rootfs\" (relative to the bundle: "
                        + dir.getParent().resolve("elsewhere/rootfs")
                        + ") does not exist; the root filesystem must be an existing directory");
    }

    @Test
    void aRelativeRootPathResolvesAgainstTheBundle() throws IOException {
        Files.createDirectories(dir.resolve("images/alpine"));
        bundle.assertClean("{\"root\": {\"path\": \"images/alpine\"}}");
    }

    @Test
    void anAbsoluteRootPathMustExist() {
        Path missing = dir.resolve("nowhere");
        bundle.assertErrors("{\"root\": {\"path\": \"" + missing + "\"}}",
                "$.root.path: \"" + missing + "\" does not exist; the root filesystem must be an existing directory");
    }

    @Test
    void anAbsoluteRootPathWorks() {
        bundle.assertClean("{\"root\": {\"path\": \"" + dir.resolve("rootfs") + "\"}}");
    }

    @Test
    void theRootMustBeADirectory() throws IOException {
        Files.writeString(dir.resolve("file"), "x");
        bundle.assertErrors("{\"root\": {\"path\": \"file\"}}",
                "$.root.path: \"file\" (relative to the bundle: " + dir.resolve("file")
                        + ") is not a directory; the root filesystem must be a directory");
    }

    @Test
    void aRootReachedThroughASymlinkIsAWarning() throws IOException {
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("rootfs"));
        Path real = dir.toRealPath().resolve("rootfs");
        bundle.assertWarnings("{\"root\": {\"path\": \"link\"}}",
                "$.root.path: \"link\" (relative to the bundle: " + dir.resolve("link") + ") goes through a symlink to "
                        + real + "; jsyd-oci uses " + real + ", runc refuses such a root");
    }
}
