from django.urls import path

from dudao.evaluation import views, views_settings

app_name = "evaluation"
urlpatterns = [
    path("county/<str:code>/<year:year>/<str:standard_id>/items/", views.items, name="items"),
    path("county/<str:code>/<year:year>/<str:standard_id>/items/save/", views.save_items, name="save_items"),
    path("county/<str:code>/<year:year>/<str:standard_id>/items/<str:item_code>/", views.save_item, name="save_item"),
    path(
        "county/<str:code>/<year:year>/<str:standard_id>/items/<str:item_code>/evidence/",
        views.upload_evidence,
        name="upload_evidence",
    ),
    path("county/<str:code>/<year:year>/<str:standard_id>/evaluate/", views.evaluate, name="evaluate"),
    path("run/<id:pk>/", views.run, name="run"),
    path("evidence/<id:pk>/", views.evidence, name="evidence"),
    path("settings/<str:standard_id>/<str:profile>/", views_settings.settings_page, name="settings"),
]
