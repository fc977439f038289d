package io.jsyd.oci.supervise;

import io.jsyd.oci.cli.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The containers a test made, each with its --root, named uniquely for this run
 * and deleted (--force) after each test whatever its outcome.
 */
final class MadeContainers implements AfterEachCallback {
    private final String run = Long.toHexString(System.nanoTime());
    private final List<String[]> made = new ArrayList<>();

    /** A container id for this run, deleted from {@code root} after the test. */
    String id(Path root, String name) {
        String id = name + "-" + run;
        made.add(new String[] {root.toString(), id});
        return id;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (String[] rootAndId : made) {
            Cli.run(Path.of(rootAndId[0]), "--root", rootAndId[0], "delete", "--force", rootAndId[1]);
        }
        made.clear();
    }
}
