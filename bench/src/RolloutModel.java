import java.util.ArrayList;
import java.util.List;

/**
 * A rollout of one image to a fleet of nodes that all start at once (a DaemonSet, a CI fleet after a release), as a
 * fluid model: every link carries its bytes at its full rate, shared by whatever crosses it, and bytes stream on
 * as they arrive, so the last node has the image when the slowest link has carried everything it must. It counts
 * blob requests and bytes to the upstream, and the time until the last node has the image, for four ways to get it:
 * <ul>
 *   <li>berth's fleet: one upstream GET per blob for all instances (the blob's owner fetches, the other instances
 *       stream it from the owner as it arrives, every client follows the fill);</li>
 *   <li>berth without the fleet: one upstream GET per blob and instance;</li>
 *   <li>a proxy that fetches per request, as distribution's does: every request for a blob not yet stored goes
 *       upstream, and each instance fetches each blob once more to store it (the bench's herd row: 100 cold clients,
 *       102 upstream GETs);</li>
 *   <li>no mirror: every node pulls from the upstream.</li>
 * </ul>
 * Manifest requests (one or two per pull) are left out of the counts.
 */
final class RolloutModel {
    /**
     * The fleet: an image of {@code imageBytes} in {@code layers} blobs for {@code nodes} nodes through
     * {@code instances} mirror instances; the upstream link carries {@code wan} bytes/s in all, each instance's
     * {@code lan} bytes/s out.
     */
    record Site(long imageBytes, int layers, int nodes, int instances, double wan, double lan) {
        Site withInstances(int count) {
            return new Site(imageBytes, layers, nodes, count, wan, lan);
        }
    }

    /** What one berth instance was measured to do, bytes/s: a cold fill from its upstream, and warm serving. */
    record Throughput(double fill, double serve) {
    }

    /** One way's cost: upstream blob requests, upstream bytes, seconds until the last node has the image. */
    record Outcome(String way, long requests, double bytes, double seconds) {
    }

    static final String FLEET = "berth, one fetch per blob for the fleet";
    static final String PER_INSTANCE = "berth, one fetch per blob and instance";
    static final String PER_REQUEST = "proxy fetching per request (distribution)";
    static final String NO_MIRROR = "no mirror";

    private RolloutModel() {
    }

    static List<Outcome> outcomes(Site site, Throughput berth) {
        return List.of(fleet(site, berth), perInstance(site, berth), perRequest(site, berth), noMirror(site));
    }

    /**
     * The owners fill at most {@code fill} each, sharing the WAN; every instance sends its nodes the image and its
     * peers the blobs it owns.
     */
    static Outcome fleet(Site site, Throughput berth) {
        double blob = (double) site.imageBytes() / site.layers();
        int mostOwned = ceilDiv(site.layers(), site.instances());
        double filled = Math.max(site.imageBytes() / site.wan(), mostOwned * blob / berth.fill());
        double peers = (double) site.imageBytes() / site.instances() * (site.instances() - 1);
        double served = (nodeBytesPerInstance(site) + peers) / egress(site, berth);
        return new Outcome(FLEET, site.layers(), site.imageBytes(), Math.max(filled, served));
    }

    /** Every instance fills every blob itself, all of them over the one WAN. */
    static Outcome perInstance(Site site, Throughput berth) {
        double bytes = (double) site.imageBytes() * site.instances();
        double filled = Math.max(bytes / site.wan(), site.imageBytes() / berth.fill());
        double served = nodeBytesPerInstance(site) / egress(site, berth);
        return new Outcome(PER_INSTANCE, (long) site.layers() * site.instances(), bytes, Math.max(filled, served));
    }

    /** Every node's request for a cold blob is an upstream GET, and each instance stores each blob with one more. */
    static Outcome perRequest(Site site, Throughput berth) {
        long perBlob = site.nodes() + site.instances();
        double bytes = (double) site.imageBytes() * perBlob;
        double served = nodeBytesPerInstance(site) / egress(site, berth);
        return new Outcome(PER_REQUEST, site.layers() * perBlob, bytes, Math.max(bytes / site.wan(), served));
    }

    /** Every node pulls the whole image over the WAN. */
    static Outcome noMirror(Site site) {
        double bytes = (double) site.imageBytes() * site.nodes();
        return new Outcome(NO_MIRROR, (long) site.layers() * site.nodes(), bytes, bytes / site.wan());
    }

    /** The bytes each instance sends its share of the nodes. */
    private static double nodeBytesPerInstance(Site site) {
        return (double) site.imageBytes() * site.nodes() / site.instances();
    }

    /** What one instance sends out per second: its LAN, or what it was measured to serve if that is less. */
    private static double egress(Site site, Throughput berth) {
        return Math.min(site.lan(), berth.serve());
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The model's answers for {@code site} through each of {@code instanceCounts}, as a Markdown table. */
    static List<String> table(Site site, Throughput berth, int... instanceCounts) {
        List<String> lines = new ArrayList<>();
        lines.add("| instances | way | upstream requests | upstream GiB | until the last node has it |");
        lines.add("|---|---|---|---|---|");
        for (int count : instanceCounts) {
            for (Outcome o : outcomes(site.withInstances(count), berth)) {
                lines.add(String.format("| %d | %s | %,d | %,.1f | %s |", count, o.way(), o.requests(),
                        o.bytes() / (1L << 30), duration(o.seconds())));
            }
        }
        return lines;
    }

    /** Seconds as {@code 42 s}, {@code 14 min}, {@code 3.0 h}. */
    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format("%.1f s", seconds);
        }
        return seconds < 7200 ? String.format("%.0f min", seconds / 60) : String.format("%.1f h", seconds / 3600);
    }
}
