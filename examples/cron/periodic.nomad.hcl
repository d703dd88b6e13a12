# One `dag cron` pass per tick, as a Nomad periodic batch job. The crons below and the schedule
# dag is given must be the same expression in the same zone.
job "ml-pipeline-report" {
  type = "batch"

  periodic {
    crons     = ["0 6 * * *"]
    time_zone = "Europe/Berlin"
    # A pass still running at the next tick: skip the launch; the next pass catches it up.
    # (Overlap would be safe too: leases in the lock store let one pass build each partition.)
    prohibit_overlap = true
  }

  group "pass" {
    # The pass retries failed tasks itself (--retries); a failed pass is retried by the next
    # tick's catch-up, not by Nomad.
    restart {
      attempts = 0
      mode     = "fail"
    }
    reschedule {
      attempts  = 0
      unlimited = false
    }

    task "dag-cron" {
      driver = "docker"

      config {
        image = "registry.example.com/ml-pipeline-cron:2024-05"
        # Arguments of the image's entrypoint, `dag cron`.
        args = [
          "0 6 * * *", "Report",
          "--tz", "Europe/Berlin",
          "--catch-up", "3",
          "--retries", "2",
          "--artifact-root", "s3://ml-artifacts/delivery-times",
          "--lock-store", "s3://ml-artifacts/locks",
          "--log-format", "json",
        ]
      }

      env {
        AWS_REGION = "eu-central-1"
      }

      # AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from Nomad Variables (or Vault).
      template {
        destination = "secrets/aws.env"
        env         = true
        data        = <<-EOT
          {{ with nomadVar "nomad/jobs/ml-pipeline-report" }}
          AWS_ACCESS_KEY_ID={{ .access_key_id }}
          AWS_SECRET_ACCESS_KEY={{ .secret_access_key }}
          {{ end }}
        EOT
      }

      resources {
        cpu    = 1000
        memory = 2048
      }
    }
  }
}
