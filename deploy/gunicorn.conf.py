"""gunicorn settings of the web service (deploy/systemd/dudao-web.service). The environment may override
each: DUDAO_BIND (address:port), DUDAO_WEB_WORKERS, DUDAO_WEB_THREADS, DUDAO_WEB_TIMEOUT."""

import multiprocessing
import os

bind = os.environ.get("DUDAO_BIND", "127.0.0.1:8000")
# two processes per core (at least two), each with a few threads: pages wait on PostgreSQL
workers = int(os.environ.get("DUDAO_WEB_WORKERS", str(max(2, 2 * multiprocessing.cpu_count()))))
threads = int(os.environ.get("DUDAO_WEB_THREADS", "4"))
timeout = int(os.environ.get("DUDAO_WEB_TIMEOUT", "120"))
graceful_timeout = 30
max_requests = 2000  # a process is replaced after this many requests (bounded memory)
max_requests_jitter = 200
accesslog = None  # dudao logs every request itself, with its id (DUDAO_LOG_FORMAT)
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
wsgi_app = "dudao.wsgi:application"
