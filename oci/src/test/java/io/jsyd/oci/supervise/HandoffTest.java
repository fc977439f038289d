package io.jsyd.oci.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsyd.runtime.policy.Origin;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.policy.PolicyWire;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandoffTest {
    @Test
    void theHandoffTravelsAsJsonAndGivesBackThePolicy() throws Exception {
        Policy policy = PolicyParser.parse("/etc/jsyd/oci/web.jsyd", "sandbox/read:on\ndeny/read+/etc/***\n"
                + "timeout:5s\nlock:on\n");
        PolicyWire.Encoded wire = PolicyWire.encode(policy);
        Handoff h = new Handoff("web-1", "/run/jsyd-oci/web-1", 4242, 123456789L, wire.text(), wire.ruleOrigins(),
                wire.lockedAt().orElse(null), Map.of("", "/sys/fs/cgroup/unified/web-1", "pids", "/sys/fs/cgroup/pids/web-1"),
                true, true, false);
        Handoff back = Handoff.fromJson(h.toJson());
        assertEquals(h, back);
        assertEquals(policy, PolicyWire.decode(back.policy()));
        assertEquals(new Origin("/etc/jsyd/oci/web.jsyd", 2),
                PolicyWire.decode(back.policy()).rules(io.jsyd.runtime.policy.Category.READ).getFirst().origin());
    }
}
