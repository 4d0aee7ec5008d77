package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.storage.StorageKeys;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstanceNameTest {
    @Test
    void clusterSelfNamesTheInstanceElseHostAndPortOrTheProcessForPortZero() {
        assertEquals("10.0.0.1-5000", InstanceName.of(Optional.of(URI.create("http://10.0.0.1:5000")), 0));
        assertEquals("_fd00__1_-80", InstanceName.of(Optional.of(URI.create("http://[fd00::1]")), 5000));
        assertTrue(InstanceName.of(Optional.empty(), 5000).endsWith("-5000"));
        String any = InstanceName.of(Optional.empty(), 0);
        assertTrue(any.endsWith("-pid" + ProcessHandle.current().pid()), "port 0 is every instance's: " + any);
        StorageKeys.check("access/" + any);
    }
}
