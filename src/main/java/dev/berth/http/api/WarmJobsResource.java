package dev.berth.http.api;

import dev.berth.http.Acts;
import dev.berth.jobs.WarmJob;
import dev.berth.jobs.WarmJobs;
import dev.berth.jobs.WarmRequest;
import dev.berth.oci.Platform;
import dev.berth.oci.RegistryException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/v1/warm-jobs}: start a job caching images ({@code POST}, 201 with {@code Location}), list the recent
 * ones, follow one, cancel one ({@code DELETE}). Every call needs {@code admin}; starting one, {@code admin} of each
 * image's repository.
 */
public final class WarmJobsResource implements ApiResource {
    private final WarmJobs jobs;
    private final Acts acts;

    /** Over {@code jobs}; each image a job is started for is reported to {@code acts}. */
    public WarmJobsResource(WarmJobs jobs, Acts acts) {
        this.jobs = jobs;
        this.acts = acts;
    }

    /** The body of {@code POST /api/v1/warm-jobs}. */
    record StartRequest(List<String> images, String platform) {
    }

    @Override
    public void routes(ApiRoutes routes) {
        routes.post("/warm-jobs", (call, res) -> {
            call.requireAdmin();
            StartRequest body = call.body(StartRequest.class);
            if (body.images() == null || body.images().isEmpty() || body.images().size() > WarmJobs.MAX_IMAGES) {
                throw new ApiException(ApiError.BAD_REQUEST, "images must list 1 to " + WarmJobs.MAX_IMAGES
                        + " image references, such as busybox:1.36");
            }
            Optional<Platform> platform = platform(body.platform());
            List<WarmRequest> requests = new ArrayList<>();
            for (String image : body.images()) {
                WarmRequest request = resolve(image);
                call.requireAdmin(request.repository());
                requests.add(request);
            }
            WarmJob job = jobs.start(requests, platform, call.principal().user().orElse("(this host)"));
            requests.forEach(r -> acts.warmed(call.request(), call.principal(), r.repository(), r.reference()));
            res.header(HeaderNames.LOCATION, AdminApi.PREFIX + "/warm-jobs/" + job.id());
            ApiJson.send(res, Status.CREATED_201, job.toMap());
        });
        routes.get("/warm-jobs", (call, res) -> {
            call.requireAdmin();
            ApiJson.send(res, Map.of("jobs", jobs.recent().stream().filter(job -> administersAll(call, job))
                    .map(WarmJob::toMap).toList()));
        });
        routes.get("/warm-jobs/{id}", (call, res) -> {
            call.requireAdmin();
            ApiJson.send(res, job(call).toMap());
        });
        routes.delete("/warm-jobs/{id}", (call, res) -> {
            call.requireAdmin();
            WarmJob job = job(call);
            if (job.isFinished()) {
                throw new ApiException(ApiError.CONFLICT, "warm job " + job.id() + " has already finished ("
                        + job.state().name().toLowerCase(java.util.Locale.ROOT) + ")");
            }
            jobs.cancel(job);
            ApiJson.send(res, Status.ACCEPTED_202, job.toMap());
        });
    }

    /** The job the path names, when the caller administers all it warms: another's job is as unknown as none. */
    private WarmJob job(ApiCall call) {
        String id = call.pathParam("id");
        return jobs.job(id).filter(job -> administersAll(call, job)).orElseThrow(() -> new ApiException(
                ApiError.NOT_FOUND, "no warm job " + id + " (this instance remembers its last " + WarmJobs.RECENT
                + " jobs)"));
    }

    /** Whether the caller administers every repository of {@code job}: an admin of some names sees only their jobs. */
    private static boolean administersAll(ApiCall call, WarmJob job) {
        return job.repositories().stream().allMatch(call::administers);
    }

    private WarmRequest resolve(String image) {
        try {
            return jobs.resolve(image);
        } catch (RegistryException e) {
            throw new ApiException(ApiError.BAD_REQUEST, "image " + image + ": " + e.detail());
        }
    }

    private static Optional<Platform> platform(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Platform.parse(text));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.BAD_REQUEST, e.getMessage());
        }
    }
}
