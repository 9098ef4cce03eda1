# ruff: noqa: E501 - a data table of long example lines
"""Example lines of log formats beyond the dev corpus (JSON lines, stack traces, curl commands, env dumps,
config files, database and auth logs, multi-line PEM blocks), run by test_detectors' tables. Every value
here was written for these tests."""

from __future__ import annotations

PEM_BODY = ["MIIBOwIBAAJBAMx4Tq1kd9VbGh0YQy3nRwP2bHfZ8cJqTm5WvX2sLkE9rN7aUoYd",
            "b3VfKzP1nQ6tR8wYx2cV4eH7jM0aS5gB9dLqWnXrZtCkAgMBAAECQFx7Kp3RmT0a"]

# (type, text, the value that must be reported with that type)
POSITIVES = [
    # a key name that ends in a keyword (camelCase, a prefix glued on) names that kind of value
    ("PASSWORD", '{"level":"info","dbPassword":"Lomu7731!"}', "Lomu7731!"),
    ("PASSWORD", '{"keystorePassword": "Qe8#rT2vXn"}', "Qe8#rT2vXn"),
    ("PASSWORD", "declare -x PGPASSWORD=\"Vexo2024?\"", "Vexo2024?"),
    ("PASSWORD", "      RABBITMQ_DEFAULT_PASS:  Tarn4410~", "Tarn4410~"),
    ("API_KEY", '{"stripeApiKey":"Hq3LmT8vW2xK9pR4sN7dF1gB6cZ0yJ5e"}', "Hq3LmT8vW2xK9pR4sN7dF1gB6cZ0yJ5e"),
    ("API_KEY", "SEGMENT_WRITE_KEY=Rz4Kp9WqT2mX7vL3nB8cY5dF0gH6jS1a", "Rz4Kp9WqT2mX7vL3nB8cY5dF0gH6jS1a"),
    ("GENERIC_SECRET", '{"oauthClientSecret": "p7Qx2Lm9Vt4Rk8Ws3Nd6Hy1Jb5Fc0Ge"}', "p7Qx2Lm9Vt4Rk8Ws3Nd6Hy1Jb5Fc0Ge"),
    ("GENERIC_SECRET", '"consumerSecret":"Zt6Yk1Mq8Wn3Lp5Vx2Rc9Hb4Jd7Fs0Ga"', "Zt6Yk1Mq8Wn3Lp5Vx2Rc9Hb4Jd7Fs0Ga"),
    # an address after a credentials URL on a JSON line (no space between them)
    ("EMAIL", '{"dsn":"postgres://svc:Tq7#pLm2Vx@pg.prod.internal:5432/orders","user_email":"maria.lopez@acme-corp.com"}',
     "maria.lopez@acme-corp.com"),
    ("URL_CREDENTIALS", '{"dsn":"postgres://svc:Tq7#pLm2Vx@pg.prod.internal:5432/orders","user_email":"ml@acme-corp.com"}',
     "Tq7#pLm2Vx"),
    # XML elements
    ("PASSWORD", "<dataSource><password>Kelu5512#</password></dataSource>", "Kelu5512#"),
    # SQL statements and redis
    ("PASSWORD", "LOG:  statement: ALTER USER app_rw WITH PASSWORD 'Nuvo8830$'", "Nuvo8830$"),
    ("PASSWORD", "Query\tCREATE USER 'etl'@'%' IDENTIFIED BY 'Ww3kR9pLq2'", "Ww3kR9pLq2"),
    ("PASSWORD", "Query\tALTER USER 'etl'@'%' IDENTIFIED WITH mysql_native_password BY 'Ww3kR9pLq2'", "Ww3kR9pLq2"),
    ("PASSWORD", 'requirepass "Gh7!kLp2Qz"', "Gh7!kLp2Qz"),
    ("PASSWORD", '1732615200.123456 [0 10.2.3.4:51234] "AUTH" "Rp4$mVx8Tq"', "Rp4$mVx8Tq"),
    ("PASSWORD", '1732615200.123456 [0 10.2.3.4:51234] "AUTH" "default" "Rp4$mVx8Tq"', "Rp4$mVx8Tq"),
    # command lines
    ("PASSWORD", "running: ./migrate --db-password Xo9pQ2wE7r --host db1", "Xo9pQ2wE7r"),
    ("PASSWORD", "sudo: ops : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/mysql -u root -p'Jq8Lx2Pw'", "Jq8Lx2Pw"),
    ("GENERIC_SECRET", "deploy --client-secret Tn5Wq8Xr2Lk7Mv3Pz9Hc4Jb6 --region eu", "Tn5Wq8Xr2Lk7Mv3Pz9Hc4Jb6"),
    ("GENERIC_SECRET", "uploader --api-key Fb2Nx7Qw9Lm4Tr8Vk3Ps6Hd1 --file x", "Fb2Nx7Qw9Lm4Tr8Vk3Ps6Hd1"),
    ("AWS_SECRET_KEY", "+ aws configure set aws_secret_access_key Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Q",
     "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Q"),
    # cookies, query strings
    ("GENERIC_SECRET", "Set-Cookie: shopSessionId=Yb7Kq2Wm9Xr4Lt8Vn3Pc6Hd1Jf5Gz0S; Path=/; HttpOnly", "Yb7Kq2Wm9Xr4Lt8Vn3Pc6Hd1Jf5Gz0S"),
    ("GENERIC_SECRET", '"GET /blob/x?sv=2022-11-02&sig=Hk3Lq8Wn2Xm7Vr4Tp9Jc5Bd1Fz6Gy0A%3D HTTP/1.1"', "Hk3Lq8Wn2Xm7Vr4Tp9Jc5Bd1Fz6Gy0A"),
    ("GENERIC_SECRET", '"GET /feed?auth=Pm4Xk9Qw2Lr7Vt3Nc8Hb5Jd1Fs6Gz0Y&page=2 HTTP/1.1"', "Pm4Xk9Qw2Lr7Vt3Nc8Hb5Jd1Fs6Gz0Y"),
    # a password with "&" in it, outside a query string and at the end of one
    ("PASSWORD", "spring.datasource.password=Bomu7731&", "Bomu7731&"),
    ("PASSWORD", "jdbc:postgresql://db1:5432/app?user=svc&password=Kavo3310&", "Kavo3310&"),
    # a password that starts with "$" is not a $VARIABLE
    ("PASSWORD", '"AUTH" "$Qm8xLp2Kv9Wz"', "$Qm8xLp2Kv9Wz"),
    # URL credentials whose user is an e-mail address; a Go DSN
    ("URL_CREDENTIALS", "via smtp://alerts@mail.example.org:Wx8Lq2Pm7Vz@smtp.example.org:587", "Wx8Lq2Pm7Vz"),
    ("URL_CREDENTIALS", 'msg="opening db" dsn="app_rw:Tq9Lx3Wm8@tcp(10.1.2.3:3306)/shop?parseTime=true"', "Tq9Lx3Wm8"),
    # PII after a JSON key with a space after the colon, camelCase keys
    ("SSN", '{"ssn": "512483907"}', "512483907"),
    ("SSN", '{"socialSecurityNumber":"512483907"}', "512483907"),
    ("PHONE", '{"phoneNumber": "+447911123456"}', "+447911123456"),
    # every colon MAC is a MAC, the broadcast address included
    ("MAC", "    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff"),
    # user names in sudo, PAM, systemd and database logs
    ("USERNAME", "Nov 26 10:00:01 web-01 sudo:   kdelaney : TTY=pts/1 ; PWD=/home/kdelaney ; USER=root ; COMMAND=/bin/ls", "kdelaney"),
    ("USERNAME", "sudo: pam_unix(sudo:session): session opened for user root(uid=0) by mfoster(uid=1000)", "mfoster"),
    ("USERNAME", "systemd[1]: Started Session 42 of User rjames.", "rjames"),
    ("USERNAME", 'FATAL:  password authentication failed for user "app_reader"', "app_reader"),
    ("USERNAME", "[Warning] Access denied for user 'report_bot'@'10.4.5.6' (using password: YES)", "report_bot"),
    ("USERNAME", "curl -u deploy_ci:Hw8Lq2Xm https://ci.example.org", "deploy_ci"),
    # multi-line PEM: real CRLF lines, and an indented YAML block scalar
    ("PRIVATE_KEY", "key loaded\r\n-----BEGIN PRIVATE KEY-----\r\n" + "\r\n".join(PEM_BODY) + "\r\n-----END PRIVATE KEY-----\r\nnext",
     "-----BEGIN PRIVATE KEY-----\r\n" + "\r\n".join(PEM_BODY) + "\r\n-----END PRIVATE KEY-----"),
    ("PRIVATE_KEY", "  tls.key: |\n    -----BEGIN EC PRIVATE KEY-----\n    " + "\n    ".join(PEM_BODY) + "\n    -----END EC PRIVATE KEY-----\n  tls.crt: x",
     "-----BEGIN EC PRIVATE KEY-----\n    " + "\n    ".join(PEM_BODY) + "\n    -----END EC PRIVATE KEY-----"),
    # more key spellings
    ("GENERIC_SECRET", "Authorization: SSWS 00Qx8Lm2Wv9Tn4Rk7Pz3Hc6Jb1", "00Qx8Lm2Wv9Tn4Rk7Pz3Hc6Jb1"),
    ("GENERIC_SECRET", '"authorization": "ApiKey Wm9vOmJhcjEyMzQ1Njc4OTA="', "Wm9vOmJhcjEyMzQ1Njc4OTA="),
    ("PASSWORD", "dbpass=Xk29fLq8", "Xk29fLq8"),
    ("PASSWORD", "rootpw: Kq8xWm2L", "Kq8xWm2L"),
    ("PASSWORD", "password_confirmation=Hq8xLm2W", "Hq8xLm2W"),
    ("PASSWORD", ":password => \"Kelu5512#\"", "Kelu5512#"),
    ("AWS_ACCESS_KEY", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    # environment suffixes and command lines
    ("PASSWORD", "DB_PASSWORD_PROD=Kq8xWm2L", "Kq8xWm2L"),
    ("GENERIC_SECRET", "SECRET_KEY_V2=Zq8xW2vN5mK7pL0rT3yU6iO9", "Zq8xW2vN5mK7pL0rT3yU6iO9"),
    ("API_KEY", "API_KEY_PROD=Zq8xW2vN5mK7pL0rT3yU6iO9", "Zq8xW2vN5mK7pL0rT3yU6iO9"),
    ("API_KEY", "WARN client: Invalid API key: Tz5Lq8Wm2Xv9Nr4Kp7Hc3Jd6", "Tz5Lq8Wm2Xv9Nr4Kp7Hc3Jd6"),
    ("PASSWORD", "sshpass -p 'Hq8xLm2W' ssh ops@10.0.0.1", "Hq8xLm2W"),
    # a short number after -p/-P/-a is still the password those tools take there (not a port)
    ("PASSWORD", "sshpass -p 80417 ssh ops@10.0.0.1", "80417"),
    ("PASSWORD", "redis-cli -h cache1 -a 92614 ping", "92614"),
    ("PASSWORD", "redis-cli -h cache1 -p 6379 -a Rp4mVx8Tq flushall", "Rp4mVx8Tq"),
    ("PASSWORD", "docker login -u ci -p Wq8Lx2Pm9 registry.example.com", "Wq8Lx2Pm9"),
    # escapes struct dumps and uris
    ("PASSWORD", r'{"log":"{\\\"password\\\":\\\"Kelu5512#\\\"}"}', "Kelu5512#"),
    ("PASSWORD", "&{Username:admin Password:Kelu5512# Host:db}", "Kelu5512#"),
    ("PHONE", "contact tel:+14155550132", "+14155550132"),
    ("PASSWORD", "login user=[bob] password=[Kelu5512#] result=FAIL", "Kelu5512#"),
    ("API_KEY", '"GET /v1/geo?q=x&key=Zq8xW2vN5mK7pL0rT3yU6iO9 HTTP/1.1" 200', "Zq8xW2vN5mK7pL0rT3yU6iO9"),
    # session cookies in cookie headers
    ("GENERIC_SECRET", "Set-Cookie: session=9fK2mQ7xLp4RtZ8vWb3NcY6hJd1sAe5G; Path=/; HttpOnly", "9fK2mQ7xLp4RtZ8vWb3NcY6hJd1sAe5G"),
    ("GENERIC_SECRET", '"cookie": "_ga=GA1.2.3; remember_token=Zx81kLmQ2pR7vT4nW9yB3cF6"', "Zx81kLmQ2pR7vT4nW9yB3cF6"),
    ("GENERIC_SECRET", "Cookie: lang=en; connect.sid=s%3AqX7vLm2Kp9RtW4zN8bY3cF6hJ.d1sAe5G", "s%3AqX7vLm2Kp9RtW4zN8bY3cF6hJ.d1sAe5G"),
    # .netrc, keytool and Spring XML forms
    ("PASSWORD", "machine api.example.com login deploy password Zq8xW2vN5m", "Zq8xW2vN5m"),
    ("PASSWORD", "keytool -importkeystore -srcstorepass Xk29fLq8Wm -deststorepass Hq8xLm2Wz", "Hq8xLm2Wz"),
    ("PASSWORD", 'keytool -genkey -keypass "Rp4mVx8Tq2" -alias api', "Rp4mVx8Tq2"),
    ("PASSWORD", '<property name="dataSource.password" value="Kelu5512#x"/>', "Kelu5512#x"),
    # a value opened by a quote (or an XML start tag) runs to its close: a passphrase keeps its spaces
    ("PASSWORD", 'password="correct horse battery staple"', "correct horse battery staple"),
    ("PASSWORD", "password: 'a b c d'", "a b c d"),
    ("PASSWORD", 'DB_PASSWORD="p@ss word with spaces"', "p@ss word with spaces"),
    ("PASSWORD", r'{"log":"{\"password\": \"a b c\"}"}', "a b c"),
    ("PASSWORD", 'password="it\'s, fine; ok"', "it's, fine; ok"),
    ("PASSWORD", "<password>correct horse battery</password>", "correct horse battery"),
    ("PASSWORD", '{"password": "ab\\"c d", "user": "x"}', 'ab\\"c d'),
    ("PASSWORD", '{"password": "Kq8x Wm2L\\\\", "user": "x"}', "Kq8x Wm2L\\\\"),
    ("PASSWORD", "+ PGPASSWORD='x y z' psql -h db -U app", "x y z"),
    ("PASSWORD", "password=Kq8x Wm2L", "Kq8x"),  # unquoted: the value is the first word
    ("PASSWORD", "login password=hunter two", "hunter"),
    ("PASSWORD", 'DATABASE_PASSWORD: "*lKSNfP9BPz0U"', "*lKSNfP9BPz0U"),  # one star: no mask
    # a Go DSN names its user; a UUID assigned to an API-key or secret name is a key
    ("USERNAME", 'DSN="alice:S3cr3tPw@tcp(10.0.0.5:3306)/orders"', "alice"),
    ("API_KEY", "HEROKU_API_KEY=6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c", "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    ("API_KEY", '{"api_key": "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"}', "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    ("API_KEY", "X-Auth-Token: 6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c", "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    ("GENERIC_SECRET", "client_secret: 6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c", "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    ("BEARER_TOKEN", "Authorization: Bearer 6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c", "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    # Windows events, PowerShell and net use
    ("USERNAME", "<EventData><Data Name='TargetUserName'>mfoster</Data><Data Name='IpPort'>51234</Data>", "mfoster"),
    ("USERNAME", "<connection><user>svc_app</user><password>Kelu5512#</password></connection>", "svc_app"),
    ("USERNAME", "$cred = New-Object PSCredential('svc_backup', (ConvertTo-SecureString 'Hq8xLm2W!' -AsPlainText -Force))", "svc_backup"),
    ("PASSWORD", "$cred = New-Object PSCredential('svc_backup', (ConvertTo-SecureString 'Hq8xLm2W!' -AsPlainText -Force))", "Hq8xLm2W!"),
    ("PASSWORD", "<Data Name='CommandLine'>net use \\\\fs01\\share /user:CORP\\jdoe Kalamu3211$</Data>", "Kalamu3211$"),
    ("PASSWORD", "cmdkey /add:fs01 /user:CORP\\jdoe /pass:Xk29fLq8W", "Xk29fLq8W"),
    # records that hold a user: an object's repr, a credentials dict
    ("USERNAME", "INFO repo - saving User{id=757, name='kdelaney', email='kd@example.org'}", "kdelaney"),
    ("USERNAME", "created User(id=1, name='mfoster', active=True)", "mfoster"),
    ("USERNAME", "ok: [web-01] => (item={'name': 'svc_app', 'password': 'Kelu5512#'})", "svc_app"),
    # users of sudo in a journal export, of ssh and login commands, of nginx basic auth, JSON-escaped
    ("USERNAME", "MESSAGE=kdelaney : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/bin/ls", "kdelaney"),
    ("USERNAME", "+ ssh -i deploy_key deploy_ci@10.0.0.5 'sudo systemctl restart api'", "deploy_ci"),
    ("USERNAME", "+ docker login -u ci_bot -p Wq8Lx2Pm9 ghcr.io", "ci_bot"),
    ("USERNAME", '2026/11/26 10:00:00 [error] 51#0: *7 user "ops_admin": password mismatch, client: 10.0.0.1', "ops_admin"),
    ("USERNAME", 'fatal: [db]: FAILED! => {"msg": "FATAL:  password authentication failed for user \\"app_rw\\""}', "app_rw"),
    # name/value pairs: Kubernetes env (YAML and JSON), ECS task definitions, SSM parameters
    ("PASSWORD", '      env:\n      - name: DB_PASSWORD\n        value: "Hq8x Lm2W!"', "Hq8x Lm2W!"),
    ("PASSWORD", "      - name: DB_PASSWORD\n        value: Hq8xLm2W!", "Hq8xLm2W!"),
    ("GENERIC_SECRET", '"environment":[{"name":"CLIENT_SECRET","value":"Zq8xW2vN5mK7pL0rT3yU6iO9"}]', "Zq8xW2vN5mK7pL0rT3yU6iO9"),
    ("API_KEY", '{"Name": "STRIPE_API_KEY", "Value": "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c", "Type": "SecureString"}',
     "6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    # more statements and commands that carry a password
    ("PASSWORD", "mysql> SET PASSWORD FOR 'app'@'%' = 'Kelu5512#';", "Kelu5512#"),
    ("PASSWORD", 'rabbitmqctl change_password svc "Kelu 5512#"', "Kelu 5512#"),
    ("PASSWORD", "htpasswd -cb /etc/nginx/.htpasswd admin Kelu5512#", "Kelu5512#"),
    ("PASSWORD", "+ echo 'Kelu5512#' | sudo -S systemctl restart nginx", "Kelu5512#"),
    # a key in brackets (PHP, Python, Ruby); a value GitHub Actions is told to mask
    ("PASSWORD", "$config['db_password'] = 'Hq8xLm2W!';", "Hq8xLm2W!"),
    ("PASSWORD", 'os.environ["DB_PASSWORD"] = "Hq8xLm2W!"', "Hq8xLm2W!"),
    ("GENERIC_SECRET", "echo ::add-mask::Zq8xW2vN5mK7pL0rT3yU6iO9", "Zq8xW2vN5mK7pL0rT3yU6iO9"),
    # command-line logins of other tools; connection strings; audit records
    ("PASSWORD", "oc login -u developer -p Xk29fLq8W https://api.crc.testing:6443", "Xk29fLq8W"),
    ("USERNAME", "oc login -u developer -p Xk29fLq8W https://api.crc.testing:6443", "developer"),
    ("PASSWORD", 'mongosh "mongodb://db1:27017" -u admin -p Rp4mVx8Tq2 --authenticationDatabase admin', "Rp4mVx8Tq2"),
    ("PASSWORD", 'sqlcmd -S srv01 -U sa -P Hq8xLm2W! -Q "select 1"', "Hq8xLm2W!"),
    ("PASSWORD", 'ldapsearch -x -H ldap://dc1 -D "cn=admin,dc=corp,dc=local" -w Kelu5512# -b dc=corp', "Kelu5512#"),
    ("GENERIC_SECRET", "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=Zq8xW2vN5mK7pL0rT3yU6iO9Hq8xLm2W==;EndpointSuffix=core.windows.net",
     "Zq8xW2vN5mK7pL0rT3yU6iO9Hq8xLm2W=="),
    ("USERNAME", "Server=tcp:db.corp.local,1433;Database=shop;User Id=svc_shop;Password=Kelu5512#;", "svc_shop"),
    ("USERNAME", 'type=USER_LOGIN msg=audit(1732615200.123:42): pid=9 uid=0 acct="kdelaney" exe="/usr/sbin/sshd" res=failed', "kdelaney"),
    # reported whole: an escaped quote, a backslash, separators, unicode, a trailing "." or "=", a passphrase
    # longer than 256 characters, a bracket the value opens itself
    ("PASSWORD", 'password="Wq8\\"x Lm;2,&#"', 'Wq8\\"x Lm;2,&#'),
    ("PASSWORD", "password='Tz4\\\\Nq8'", "Tz4\\\\Nq8"),
    ("PASSWORD", 'password="Pässwörd ünï9"', "Pässwörd ünï9"),
    ("PASSWORD", "DB_PASSWORD=Kelu5512.\r\nNEXT=1", "Kelu5512."),
    ("PASSWORD", "password=Kelu5512= user=x", "Kelu5512="),
    ("PASSWORD", 'password="' + " ".join(["Xq7#Lm2"] * 45) + '"', " ".join(["Xq7#Lm2"] * 45)),
    ("PASSWORD", "password=Summer(2024) host=db1", "Summer(2024)"),
    ("PASSWORD", "password=Pa55[word] host=db1", "Pa55[word]"),
    ("URL_CREDENTIALS", "dsn=postgres://app:Wq8x-Lm2.@db1:5432/shop", "Wq8x-Lm2."),
    # a URL's password before its "@" is a literal even when it reads like a name
    ("URL_CREDENTIALS", "redis://app:db_pass.v2@cache1:6379/0", "db_pass.v2"),
    ("PASSWORD", "password: Hunter2, user: ops", "Hunter2"),
    # a vendor token that starts with a word and a dot is no module attribute
    ("GENERIC_SECRET", "VAULT_TOKEN=hvs.CAESIJk8Lq2Wm9Xr4Tt8Vn3Pc6Hd1Jf5Gz0SaB7Kq2Wm9Xr4Lt8Vn3Pc6Hd1Jf5Gz0S",
     "hvs.CAESIJk8Lq2Wm9Xr4Tt8Vn3Pc6Hd1Jf5Gz0SaB7Kq2Wm9Xr4Lt8Vn3Pc6Hd1Jf5Gz0S"),
    # a SigV4 credential scope names an access key id
    ("AWS_ACCESS_KEY", "Authorization: AWS4-HMAC-SHA256 Credential=AKIAQ3EGRTY5WXZ7ABCD/20261126/us-east-1/s3/aws4_request",
     "AKIAQ3EGRTY5WXZ7ABCD"),
]

# (type that must NOT be reported, text)
NEGATIVES = [
    # placeholders in docs and templates
    ("PASSWORD", "  password: replace-me"),
    ("PASSWORD", '{"password":"CHANGE_ME"}'),
    ("PASSWORD", "export DB_PASSWORD=your-password-here"),
    ("API_KEY", "api_key: your-api-key-here"),
    ("PASSWORD", 'requirepass "$REDIS_PASSWORD"'),
    ("PASSWORD", "password: ${DB_PASSWORD}"),
    # sudo's PWD is the working directory; a path is where a secret lives, not the secret
    ("PASSWORD", "sudo:   kdelaney : TTY=pts/1 ; PWD=/home/kdelaney ; USER=root ; COMMAND=/bin/ls"),
    ("PASSWORD", "PASSWORD_FILE=/run/secrets/db_password"),
    # "password" in prose is not a statement
    ("PASSWORD", "FATAL:  password authentication failed for user \"app\""),
    ("PASSWORD", "Failed password for invalid user admin from 10.0.0.1 port 22 ssh2"),
    # identifiers under a secret-looking key
    ("GENERIC_SECRET", '{"sessionId":"3f2b8c1e-9d4a-4e7b-8f6c-2a1d5e9b7c40"}'),
    ("GENERIC_SECRET", "session: 0x14ede63a5a70002 closed"),
    # words that end in "pass" are not password keys
    ("PASSWORD", "bypass=Xk29fLq8 compass=Nq2rT7wL"),
    # file names are not host names
    ("HOSTNAME", "saved checkpoint to model.pt"),
    ("HOSTNAME", "generated from Makefile.in and config.h.in"),
    ("HOSTNAME", "exported artwork logo.ai"),
    ("HOSTNAME", "curl -F file=@model.pt -F meta=@Makefile.in https://10.0.0.5/upload"),
    ("HOSTNAME", "sync x-coredata://DB05755C-483D-44B7-B93B-ED06E57FF420/CalDAVPrincipal/p11 done"),
    ("USERNAME", "I WindowManager: rotationForOrientationLw(orient=1, last=0); user=0 USER_ROTATION_LOCKED"),
    ("PASSWORD", '<property name="db.password" value="${DB_PASS}"/>'),
    ("PASSWORD", "keytool -list -storepass changeit"),
    ("PASSWORD", "the machine password policy is strict"),
    # phrases that stand in for a password, quoted
    ("PASSWORD", 'password="your password here"'),
    ("PASSWORD", "password: 'not set'"),
    # a UUID under an identifier's name (or a session's) is an identifier
    ("GENERIC_SECRET", "request_id=6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    ("API_KEY", '"idempotencyKey":"6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"'),
    ("GENERIC_SECRET", "token=6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c trace=6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6d"),
    # Terraform's plan hides a password; a token key ends a line of an AWS canonical request, a digest follows
    ("PASSWORD", "      + password = (sensitive value)"),
    ("BEARER_TOKEN", "host;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("GENERIC_SECRET", "Credential=AKIAQ3EGRTY5WXZ7ABCD/20261126/us-east-1/s3/aws4_request, SignedHeaders=host"),
    # nginx's upstream socket, a login user that is a variable
    ("HOSTNAME", 'upstream: "http://unix:/run/gunicorn.sock:/login", host: "api"'),
    ("USERNAME", 'echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin'),
    ("PASSWORD", "sqlcmd -S srv01 -p -Q x"),
    ("GENERIC_SECRET", 'echo "::add-mask::$NPM_TOKEN"'),
    ("PASSWORD", "      - name: DB_PASSWORD\n        valueFrom:\n          secretKeyRef: {name: db, key: password}"),
    ("GENERIC_SECRET", "      - name: REQUEST_ID\n        value: 6e1b9a4c-3f2d-4e8a-9b7c-1d2e3f4a5b6c"),
    ("PASSWORD", "echo $SUDO_PASS | sudo -S ls"),
    ("USERNAME", "UserAgent(name=curl, version=8.4.0) and {'name': 'eth0', 'mtu': 1500}"),
    # test harness verdicts, program text (calls, subscripts, attributes, type annotations, format fields),
    # prose after an option or in quotes
    ("PASSWORD", "PASS: gdb.base/break.exp: run until function breakpoint"),
    ("PASSWORD", "XPASS: t/regress-17.sh"),
    ("PASSWORD", '    password = getpass.getpass("Password: ")'),
    ("PASSWORD", "    user, pw = auth.split(\":\", 1)"),
    ("PASSWORD", "        password = self.request.auth_password"),
    ("PASSWORD", "    def login(self, username: str, password: bytes) -> None:"),
    ("PASSWORD", "    password: Optional[str] = None,"),
    ("PASSWORD", '    print(f"password={password!r}")'),
    ("PASSWORD", "the --password option is ignored when --ask-password is given"),
    ("PASSWORD", "the messages of commits identified by \"squash\" commands"),
    ('PASSWORD', 'PASS: "Run size-3e"  "-Wl,--no-as-needed tmpdir/libsize-3c.so"'),
    ("PASSWORD", "        self.key_password = key_password"),
    ("PASSWORD", "DEFAULT_LAST_PASS: Final = 2"),
    ("PASSWORD", "                username, password = parsed.auth_decoded"),
    ("PASSWORD", "    def make_rev_args(username: str | None, password: HiddenText | None) -> CommandArgs:"),
    ("PASSWORD", "    :param password: When `True`, display using asterisks."),
    ("PASSWORD", " * tree-ssa-strlen.cc (strlen_pass::handle_assign, strlen_pass::get_len): Adjust."),
    ("PASSWORD", "the fields are name:passwd:uid:gid:gecos:dir:shell"),
    ("USERNAME", "    def __init__(self, username: str, password: str) -> None: ..."),
    ("USERNAME", "    userName = userName[:sliceLength]"),
    ("GENERIC_SECRET", "        signature = _create_signature_v2(secret, to_sign)"),
    ("GENERIC_SECRET", "                sig = signal.SIGTERM"),
    ("GENERIC_SECRET", "tf2zpk_signature = lp2bp_signature"),
    ("URL_CREDENTIALS", '        f"s3://{access_key}:{secret_key}@{bucket}/{path}"'),
    ("PASSWORD", 'NOTES: Get the admin password: kubectl get secret api -o jsonpath="{.data.password}" | base64 -d'),  # sqlcmd's -p prints statistics; its password flag is -P
]
