package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How {@code berth warm} draws progress: bars redrawn in place on a terminal, a line per change otherwise. */
class WarmDisplayTest {
    private static JsonNode job(String state, long layersDone, long bytesDone) throws Exception {
        return new ObjectMapper().readTree(("{\"images\": [{\"image\": \"busybox:1.36\", \"state\": \"%s\","
                + " \"digest\": \"sha256:ab\", \"platforms\": [\"linux/amd64\"], \"layers\": {\"done\": %d,"
                + " \"total\": 2}, \"bytes\": {\"done\": %d, \"total\": 3000000}}]}")
                .formatted(state, layersDone, bytesDone));
    }

    @Test
    void aTerminalGetsBarsRedrawnInPlace() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WarmDisplay display = new WarmDisplay(new PrintStream(out, true, StandardCharsets.UTF_8), true);
        display.show(job("running", 1, 1_500_000));
        display.show(job("done", 2, 3_000_000));
        assertEquals("\r\033[Kbusybox:1.36 [============>           ] 1/2 layers  1.5 MB/3.0 MB  running\n"
                + "\033[1A\r\033[Kbusybox:1.36 [========================] 2/2 layers  3.0 MB/3.0 MB  done\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void elsewhereALinePerChange() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WarmDisplay display = new WarmDisplay(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        display.show(job("pending", 0, 0));
        display.show(job("running", 1, 1_500_000));
        display.show(job("running", 1, 1_500_000));
        display.show(job("done", 2, 3_000_000));
        assertEquals("busybox:1.36: 1/2 layers, 1.5 MB/3.0 MB\n"
                + "busybox:1.36: cached sha256:ab (2 layers, 3.0 MB; linux/amd64)\n",
                out.toString(StandardCharsets.UTF_8));
    }
}
