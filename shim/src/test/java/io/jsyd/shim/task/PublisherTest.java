package io.jsyd.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsyd.shim.proto.events.ForwardRequest;
import io.jsyd.shim.proto.events.TaskExit;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PublisherTest {
    @Test
    void anEventTravelsAsAnAnyNamedByItsProtoName() throws Exception {
        TaskExit exit = TaskExit.newBuilder().setContainerId("c").setId("c").setPid(42).setExitStatus(137).build();
        ForwardRequest f = Publisher.envelope("k8s.io", "/tasks/exit", exit, Instant.ofEpochSecond(10, 5));
        // containerd 1.6 resolves the type by this name (typeurl falls back to the proto registry)
        assertEquals("containerd.events.TaskExit", f.getEnvelope().getEvent().getTypeUrl());
        assertEquals(exit, TaskExit.parseFrom(f.getEnvelope().getEvent().getValue()));
        assertEquals("k8s.io", f.getEnvelope().getNamespace());
        assertEquals("/tasks/exit", f.getEnvelope().getTopic());
        assertEquals(10, f.getEnvelope().getTimestamp().getSeconds());
        assertEquals(5, f.getEnvelope().getTimestamp().getNanos());
        // the envelope is field 1 of ForwardRequest, the Any field 4 of Envelope: the bytes say so
        byte[] wire = f.toByteArray();
        assertEquals(0x0a, wire[0]);
    }
}
