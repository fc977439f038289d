package io.jsyd.oci.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.policy.Category;
import io.jsyd.runtime.policy.Origin;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `exec` reads back of the policy `create` recorded. */
class PolicyRecordTest {
    @Test
    void thePolicyComesBackWithItsOriginsAndItsPtraceChecks(@TempDir Path dir) throws Exception {
        Policy p = PolicyParser.parse("annotation org.jsyd.policy in /b/config.json",
                "sandbox/read:on\nallow/read+/***\ndeny/read+/etc/secret\nsandbox/tpe:on\n");
        PolicyRecord.write(dir, p);
        Policy back = PolicyRecord.read(dir).orElseThrow();
        assertEquals(p.rules(Category.READ), back.rules(Category.READ));
        assertEquals(new Origin("annotation org.jsyd.policy in /b/config.json", 3),
                back.rules(Category.READ).get(1).origin());
        assertTrue(back.trace().needsTracer());
        assertEquals(p.render(), PolicyRecord.show(dir.getParent(), dir.getFileName().toString()));
    }

    @Test
    void noRecordIsNoPolicyAndOneWithoutOriginsNamesItsOwnLines(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), PolicyRecord.read(dir));
        Files.writeString(dir.resolve(SupervisorPaths.POLICY), "sandbox/read:on\ndeny/read+/etc/secret\n");
        Policy back = PolicyRecord.read(dir).orElseThrow();
        assertEquals(new Origin(dir.resolve(SupervisorPaths.POLICY).toString(), 2),
                back.rules(Category.READ).getFirst().origin());
    }
}
