from django.urls import path

from dudao.surveys import sheets, views

app_name = "surveys"
urlpatterns = [
    path("county/<str:code>/", views.county, name="county"),
    path("<int:pk>/", views.survey, name="survey"),
    path("<int:pk>/settings/", views.settings, name="settings"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/results/", views.result, name="results"),
    path("<int:pk>/results/evaluation/", views.to_evaluation, name="to_evaluation"),
    path("<int:pk>/responses/<int:response_pk>/review/", views.review, name="review"),
    path("<int:pk>/sheets/", sheets.index, name="sheets"),
    path("<int:pk>/sheets/all/", sheets.print_all, name="sheets_all"),
    path("<int:pk>/sheets/<str:code>/", sheets.school, name="sheet_school"),
    path("<int:pk>/sheets/<str:code>/classes/", sheets.classes, name="sheet_classes"),
    path("<int:pk>/<str:group>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("<int:pk>/<str:group>/tokens/", views.tokens, name="tokens"),
    path("<int:pk>/<str:group>/qr.<str:fmt>", views.qr, name="qr"),
]
public_urlpatterns = [
    path("s/<str:key>/<str:group>/", views.public, name="public"),
]
