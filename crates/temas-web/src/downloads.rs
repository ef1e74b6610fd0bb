//! Contact exports as downloads, for the API and the web app alike: written to a temporary file by the service,
//! then streamed to the client in chunks, so a large export never sits in memory.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::io::Read;
use temas_service::exports::ExportFormat;
use temas_service::records::ListParams;
use temas_service::{App, AppError, Session};

const CHUNK: usize = 64 * 1024;

/// The contacts `params` select, in `format`, as an attachment named `name.EXT`.
pub async fn contacts(
    app: &App,
    session: &Session,
    params: &ListParams,
    format: ExportFormat,
    name: &str,
) -> Result<Response, AppError> {
    let internal = |e: std::io::Error| AppError::Internal(e.to_string());
    let mut file = tempfile::tempfile().map_err(internal)?;
    {
        let mut out = std::io::BufWriter::new(&mut file);
        app.export_contacts(session, params, format, &mut out)
            .await?;
        std::io::Write::flush(&mut out).map_err(internal)?;
    }
    std::io::Seek::rewind(&mut file).map_err(internal)?;
    // Local disk reads of 64 KiB each: short enough to do on the runtime's threads.
    let chunks = futures_util::stream::unfold(file, |mut file| async move {
        let mut buf = vec![0u8; CHUNK];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{}\"", format.extension()),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}
